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
    /// <param name="PrivacyNoticeUrl">The client's privacy notice (https), linked by the widget next to its consent boxes.</param>
    public sealed record Request(string? Name, List<string>? Fields, List<PurposeInput>? Purposes, List<string>? AllowedOrigins, string? PrivacyNoticeUrl = null);
    public sealed record PurposeView(string Key, string Text, bool Required, string TextSha256, bool Marketing);
    public sealed record View(Guid Id, string Name, int Version, List<string> Fields, List<PurposeView> Purposes, List<string> AllowedOrigins, DateTimeOffset CreatedAt,
        string? PrivacyNoticeUrl);

    /// <summary>What the embedded script needs to draw the form, and nothing else: no client data, no origins.</summary>
    public sealed record PublicField(string Name, string Label, string Type, bool Required);
    public sealed record PublicPurpose(string Key, string Text, bool Required);
    public sealed record PublicView(Guid Id, int Version, string Name, List<PublicField> Fields, List<PublicPurpose> Purposes, string? PrivacyNoticeUrl);

    public async Task<Result<View>> CreateAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var (fields, purposes, origins, problems) = await CheckAsync(request, ct);
        if (problems.Any) return Errors.Invalid(problems);
        var now = clock.GetUtcNow();
        var widget = new Widget { Id = Guid.CreateVersion7(), ClientId = clientId, Name = request.Name!.Trim(), CurrentVersion = 1, AllowedOrigins = string.Join(' ', origins), CreatedAt = now };
        var version = NewVersion(widget, fields, purposes, request.PrivacyNoticeUrl, now);
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
        var version = NewVersion(widget, fields, purposes, request.PrivacyNoticeUrl, clock.GetUtcNow());
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

    /// <summary>The current version as the embedded script draws it; any site may read it (the script runs there).</summary>
    public async Task<Result<PublicView>> PublicAsync(Guid widgetId, CancellationToken ct)
    {
        var widget = await db.Widgets.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(w => w.Id == widgetId, ct);
        if (widget is null) return Errors.NotFound("widget");
        if (!await Clients.ClientLifecycle.IsActiveAsync(db, widget.ClientId, ct)) return Errors.Gone("This form no longer collects data.");
        db.TenantId = widget.ClientId;
        var version = await db.WidgetVersions.AsNoTracking().SingleAsync(v => v.WidgetId == widgetId && v.Version == widget.CurrentVersion, ct);
        var declared = await DeclareFields.DeclaredAsync(db, ct);
        var fields = JsonSerializer.Deserialize<List<string>>(version.Fields)!.Select(name => declared.TryGetValue(name, out var custom)
            ? new PublicField(name, Label(name), custom.Type switch { "number" => "number", "date" => "date", "boolean" => "checkbox", _ => "text" }, custom.Required)
            : new PublicField(name, Label(name), name switch { "email" => "email", "phone" => "tel", "bio" or "address" => "textarea", _ => "text" }, false)).ToList();
        return new PublicView(widget.Id, version.Version, widget.Name, fields,
            Purposes(version).Select(p => new PublicPurpose(p.Key, p.Text, p.Required)).ToList(), version.PrivacyNoticeUrl);
    }

    /// <summary>"firstName" → "First name", "loyalty_id" → "Loyalty id".</summary>
    private static string Label(string name)
    {
        if (name == "email") return "Email address";
        if (name == "ipAddress") return "IP address";
        var words = SplitWords().Replace(name, " $1").Replace('_', ' ').Replace('-', ' ').Trim().ToLowerInvariant();
        return words.Length == 0 ? name : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static WidgetVersion NewVersion(Widget widget, List<string> fields, List<WidgetVersion.Purpose> purposes, string? privacyNoticeUrl, DateTimeOffset now) => new()
    {
        PrivacyNoticeUrl = privacyNoticeUrl,
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
        widget.AllowedOrigins.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(), widget.CreatedAt, version.PrivacyNoticeUrl);

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
        if (request.PrivacyNoticeUrl is { } notice && (notice.Length > 2000 || !Uri.TryCreate(notice, UriKind.Absolute, out var noticeUri) || noticeUri.Scheme is not ("https" or "http")))
            problems.Add("privacyNoticeUrl", "The address of your privacy notice, like https://www.example.com/privacy.");
        return (fields, purposes, origins, problems);
    }

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex SplitWords();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex KeyPattern();
}
