using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Contacts;
using Steward.Data;
using Steward.Http;

namespace Steward.Widgets;

/// <summary>
/// A client defines or changes a widget: the fields it collects and its consent purposes, each with its text.
/// Every change is a new version; the old ones stay, so each consent keeps the exact text it was given on.
/// There is no way to pre-tick a purpose: the contract has no such option, and an unknown property is refused.
/// </summary>
public sealed partial class DefineWidget(StewardDb db, AuditLog audit, TimeProvider clock)
{
    /// <param name="Marketing">Whether the purpose is direct marketing (default true): an objection withdraws it (Art. 21(2)).</param>
    public sealed record PurposeInput(string? Key, string? Text, bool? Required, bool? Marketing = null);
    public sealed record Request(string? Name, List<string>? Fields, List<PurposeInput>? Purposes, List<string>? AllowedOrigins);
    public sealed record PurposeView(string Key, string Text, bool Required, string TextSha256, bool Marketing);
    public sealed record View(Guid Id, string Name, int Version, List<string> Fields, List<PurposeView> Purposes, List<string> AllowedOrigins, DateTimeOffset CreatedAt);

    public async Task<Result<View>> CreateAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var (fields, purposes, origins, problems) = await CheckAsync(request, ct);
        if (problems.Any) return Errors.Invalid(problems);
        var now = clock.GetUtcNow();
        var widget = new Widget { Id = Guid.CreateVersion7(), ClientId = clientId, Name = request.Name!.Trim(), CurrentVersion = 1, AllowedOrigins = string.Join(' ', origins), CreatedAt = now };
        var version = NewVersion(widget, fields, purposes, now);
        await using var write = await db.BeginWriteAsync(ct);
        db.Widgets.Add(widget);
        db.WidgetVersions.Add(version);
        await audit.RecordAsync(db, "DefineWidget", "widget", widget.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return ToView(widget, version);
    }

    public async Task<Result<View>> UpdateAsync(Guid widgetId, Request request, CancellationToken ct)
    {
        var (fields, purposes, origins, problems) = await CheckAsync(request, ct);
        if (problems.Any) return Errors.Invalid(problems);
        await using var write = await db.BeginWriteAsync(ct);
        var widget = await db.Widgets.SingleOrDefaultAsync(w => w.Id == widgetId, ct);
        if (widget is null) return Errors.NotFound("widget");
        widget.Name = request.Name!.Trim();
        widget.AllowedOrigins = string.Join(' ', origins);
        widget.CurrentVersion++;
        var version = NewVersion(widget, fields, purposes, clock.GetUtcNow());
        db.WidgetVersions.Add(version);
        await audit.RecordAsync(db, "UpdateWidget", "widget", widget.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return ToView(widget, version);
    }

    public async Task<Result<View>> GetAsync(Guid widgetId, CancellationToken ct)
    {
        var widget = await db.Widgets.AsNoTracking().SingleOrDefaultAsync(w => w.Id == widgetId, ct);
        if (widget is null) return Errors.NotFound("widget");
        var version = await db.WidgetVersions.AsNoTracking().SingleAsync(v => v.WidgetId == widgetId && v.Version == widget.CurrentVersion, ct);
        return ToView(widget, version);
    }

    public async Task<List<View>> ListAsync(CancellationToken ct)
    {
        var widgets = await db.Widgets.AsNoTracking().OrderBy(w => w.CreatedAt).ToListAsync(ct);
        var versions = await db.WidgetVersions.AsNoTracking().ToListAsync(ct);
        return widgets.Select(w => ToView(w, versions.Single(v => v.WidgetId == w.Id && v.Version == w.CurrentVersion))).ToList();
    }

    private static WidgetVersion NewVersion(Widget widget, List<string> fields, List<WidgetVersion.Purpose> purposes, DateTimeOffset now) => new()
    {
        WidgetId = widget.Id,
        Version = widget.CurrentVersion,
        ClientId = widget.ClientId,
        CreatedAt = now,
        Fields = JsonSerializer.Serialize(fields),
        Purposes = JsonSerializer.Serialize(purposes),
    };

    public static View ToView(Widget widget, WidgetVersion version) => new(widget.Id, widget.Name, version.Version,
        JsonSerializer.Deserialize<List<string>>(version.Fields)!,
        Purposes(version).Select(p => new PurposeView(p.Key, p.Text, p.Required, p.TextSha256, p.Marketing)).ToList(),
        widget.AllowedOrigins.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(), widget.CreatedAt);

    public static List<WidgetVersion.Purpose> Purposes(WidgetVersion version) =>
        JsonSerializer.Deserialize<List<WidgetVersion.Purpose>>(version.Purposes)!;

    private async Task<(List<string>, List<WidgetVersion.Purpose>, List<string>, Problems)> CheckAsync(Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200) problems.Add("name", "Give a name (at most 200 characters).");
        var declared = await DeclareFields.DeclaredAsync(db, ct);
        var fields = request.Fields ?? [];
        if (fields.Count is 0 or > 50) problems.Add("fields", "Collect 1 to 50 fields.");
        foreach (var f in fields.Where(f => f is null || (!ContactFields.StandardNames.Contains(f) && !declared.ContainsKey(f))))
            problems.Add("fields", $"'{ContactFields.Safe(f ?? "null")}' is neither a contact field nor a declared custom field.");
        if (fields.Distinct(StringComparer.Ordinal).Count() != fields.Count) problems.Add("fields", "A field is listed twice.");

        var purposes = new List<WidgetVersion.Purpose>();
        var inputs = request.Purposes ?? [];
        if (inputs.Count > 20) problems.Add("purposes", "At most 20 purposes.");
        for (var i = 0; i < inputs.Count; i++)
        {
            var p = inputs[i];
            if (p is null || p.Key is null || !KeyPattern().IsMatch(p.Key)) { problems.Add($"purposes[{i}].key", "A key of letters, digits, - and _ (1 to 64)."); continue; }
            if (string.IsNullOrWhiteSpace(p.Text) || p.Text.Length > 5000) { problems.Add($"purposes[{i}].text", "The text shown to the subject (1 to 5000 characters)."); continue; }
            if (purposes.Any(x => x.Key == p.Key)) { problems.Add($"purposes[{i}].key", "Listed twice."); continue; }
            purposes.Add(new WidgetVersion.Purpose(p.Key, p.Text, p.Required ?? false,
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(p.Text))), p.Marketing ?? true));
        }
        var origins = new List<string>();
        foreach (var o in request.AllowedOrigins ?? [])
        {
            if (o is not null && Uri.TryCreate(o, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query) && !o.EndsWith('/'))
                origins.Add(uri.GetLeftPart(UriPartial.Authority));
            else problems.Add("allowedOrigins", $"'{ContactFields.Safe(o ?? "null")}' is not an origin like https://www.example.com.");
        }
        if (origins.Count > 20) problems.Add("allowedOrigins", "At most 20 origins.");
        return (fields, purposes, origins, problems);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex KeyPattern();
}
