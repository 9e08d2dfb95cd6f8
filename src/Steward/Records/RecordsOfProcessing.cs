using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Contacts;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.Instructions;
using Steward.Measures;
using Steward.SubProcessors;

namespace Steward.Records;

/// <summary>
/// The records of processing, generated from what Steward holds, never kept by hand (G-06, G-25, G-26, B.5): the
/// processor record of Art. 30(2) and the controller record of Art. 30(1) for the clients' own account data. Each
/// generation that differs from the last is kept as a new version.
/// </summary>
public sealed class RecordsOfProcessing(StewardDb db, PurposeGate gate, MeasureRegister measures, Register register, AuditLog audit, IOptions<ProcessorOptions> options, TimeProvider clock)
{
    public sealed record Party(string Name, string? Address, string? Email, string? DataProtectionOfficer);
    public sealed record Category(string Purpose, string Description, string Source, string[] Operations);
    public sealed record Controller(Guid ClientId, string Name, string Status, DateTimeOffset Since, int Contacts, string[] DataSubjects,
        string[] PersonalData, List<Category> CategoriesOfProcessing);
    public sealed record Transfer(string Recipient, string Country, string Safeguard);
    public sealed record ProcessorRecord(Party Processor, List<Controller> Controllers, List<Transfer> Transfers, List<string> SecurityMeasures);
    public sealed record ControllerRecord(Party Controller, string[] Purposes, string[] DataSubjects, string[] PersonalData, string[] Recipients,
        List<Transfer> Transfers, string[] ErasureTimeLimits, List<string> SecurityMeasures, int ClientAccounts);
    public sealed record Versioned(string Kind, int Version, DateTimeOffset GeneratedAt, string Sha256, JsonElement Record);
    public sealed record VersionInfo(int Version, DateTimeOffset GeneratedAt, string Sha256);

    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<ProcessorRecord> ProcessorAsync(Guid? onlyClient, CancellationToken ct)
    {
        var o = options.Value;
        var clients = await db.Clients.AsNoTracking().Where(c => onlyClient == null || c.Id == onlyClient).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var contacts = await db.Contacts.IgnoreQueryFilters().GroupBy(c => c.ClientId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var fields = await db.CustomFields.IgnoreQueryFilters().AsNoTracking().Select(f => new { f.ClientId, f.Name }).ToListAsync(ct);
        var controllers = new List<Controller>();
        foreach (var c in clients)
        {
            var purposes = await gate.AllowedAsync(db, c.Id, ct);
            controllers.Add(new Controller(c.Id, c.Name, c.Status, c.CreatedAt, contacts.GetValueOrDefault(c.Id),
                ["the client's contacts (visitors, members, customers, staff of the client)"],
                [.. ContactFields.Standard.Select(f => f.Name), .. fields.Where(f => f.ClientId == c.Id).Select(f => "custom:" + f.Name).Order(StringComparer.Ordinal), "consent records", "access-log IP addresses"],
                purposes.Select(p => new Category(p.Code, p.Description, p.Source, Instructions.Purposes.Find(p.Code)?.Operations ?? Instructions.Purposes.AllOperations)).ToList()));
        }
        return new ProcessorRecord(new Party(o.Name, o.Address, o.Email, o.DpoContact), controllers, await TransfersAsync(ct), await measures.DescriptionAsync(ct));
    }

    /// <summary>From the sub-processor register, and the configured transfers of recipients outside it.</summary>
    private async Task<List<Transfer>> TransfersAsync(CancellationToken ct)
    {
        var fromRegister = (await register.TransfersAsync(ct)).Select(t => new Transfer(t.Recipient, t.Country, t.Safeguard)).ToList();
        return [.. fromRegister, .. options.Value.Transfers.Where(t => fromRegister.All(r => r.Recipient != t.Recipient))
            .Select(t => new Transfer(t.Recipient, t.Country, t.Safeguard))];
    }

    public async Task<ControllerRecord> ControllerAsync(CancellationToken ct)
    {
        var o = options.Value;
        return new ControllerRecord(new Party(o.Name, o.Address, o.Email, o.DpoContact),
            ["providing and administering client accounts", "acceptance records of the legal documents", "security and access logging", "communication with clients (notices, alerts)"],
            ["the clients' users (account owners and team members)"],
            ["name", "email address", "password hash", "IP address and user agent at acceptance", "access-log IP addresses"],
            ["the processor's staff with access", .. o.Transfers.Select(t => t.Recipient)],
            o.Transfers.Select(t => new Transfer(t.Recipient, t.Country, t.Safeguard)).ToList(), // the account data goes to no sub-processor of the register
            ["account data: for the life of the account, then per retention.postTerminationDays", "access-log IP addresses: six months (G-47)"],
            await measures.DescriptionAsync(ct), await db.ClientUsers.IgnoreQueryFilters().CountAsync(ct));
    }

    /// <summary>Generates the record, keeps it as a new version if it changed, and returns the current version.</summary>
    public async Task<Versioned> CurrentAsync(string kind, CancellationToken ct)
    {
        try
        {
            return await GenerateAsync(kind, ct);
        }
        catch (DbUpdateException)
        {
            // another node stored the same version number first (PostgreSQL): generate again on top of it
            db.ChangeTracker.Clear();
            return await GenerateAsync(kind, ct);
        }
    }

    private async Task<Versioned> GenerateAsync(string kind, CancellationToken ct)
    {
        object record = kind == "controller" ? await ControllerAsync(ct) : await ProcessorAsync(null, ct);
        var json = JsonSerializer.Serialize(record, record.GetType(), Indented);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        await using var write = await db.BeginWriteAsync(ct);
        var last = await db.Set<RecordVersion>().Where(r => r.Kind == kind).OrderByDescending(r => r.Version).FirstOrDefaultAsync(ct);
        if (last is null || last.Sha256 != sha)
        {
            last = new RecordVersion { Id = Guid.CreateVersion7(), Kind = kind, Version = (last?.Version ?? 0) + 1, Sha256 = sha, Content = json, GeneratedAt = clock.GetUtcNow() };
            db.Add(last);
        }
        await audit.RecordAsync(db, "ReadRecordsOfProcessing", "record-of-processing", $"{kind}/{last.Version}", ct);
        await write.CommitAsync(ct);
        return ToVersioned(last);
    }

    public async Task<List<VersionInfo>> HistoryAsync(string kind, CancellationToken ct) =>
        await db.Set<RecordVersion>().AsNoTracking().Where(r => r.Kind == kind).OrderBy(r => r.Version)
            .Select(r => new VersionInfo(r.Version, r.GeneratedAt, r.Sha256)).ToListAsync(ct);

    public async Task<Result<Versioned>> VersionAsync(string kind, int version, CancellationToken ct)
    {
        var found = await db.Set<RecordVersion>().AsNoTracking().SingleOrDefaultAsync(r => r.Kind == kind && r.Version == version, ct);
        return found is null ? Errors.NotFound("record version") : ToVersioned(found);
    }

    private static Versioned ToVersioned(RecordVersion r) => new(r.Kind, r.Version, r.GeneratedAt, r.Sha256, JsonDocument.Parse(r.Content).RootElement.Clone());

    public static string Title(string kind) =>
        kind == "controller" ? "Record of processing activities, Art. 30(1) GDPR" : "Record of processing activities, Art. 30(2) GDPR";

    /// <summary>A printable page of a record version; the print stylesheet drops the screen margins and keeps entries whole on a page.</summary>
    public static string Html(Versioned v)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").Append(Title(v.Kind)).Append(", version ").Append(v.Version).Append("</title>")
            .Append("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}dt{font-weight:bold}dd{margin:0 0 .5em 1.5em}")
            .Append("@page{size:A4;margin:18mm}@media print{body{max-width:none;margin:0;font-size:10pt}a{color:inherit}li,dd{break-inside:avoid}h1{font-size:14pt}}</style></head><body>")
            .Append("<h1>").Append(Title(v.Kind))
            .Append("</h1><p>Version ").Append(v.Version).Append(", generated ").Append(WebUtility.HtmlEncode(v.GeneratedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)))
            .Append(", SHA-256 ").Append(v.Sha256).Append("</p>");
        Render(html, v.Record);
        return html.Append("</body></html>").ToString();
    }

    private static void Render(StringBuilder html, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                html.Append("<dl>");
                foreach (var p in e.EnumerateObject())
                {
                    html.Append("<dt>").Append(WebUtility.HtmlEncode(p.Name)).Append("</dt><dd>");
                    Render(html, p.Value);
                    html.Append("</dd>");
                }
                html.Append("</dl>");
                break;
            case JsonValueKind.Array:
                html.Append("<ul>");
                foreach (var item in e.EnumerateArray())
                {
                    html.Append("<li>");
                    Render(html, item);
                    html.Append("</li>");
                }
                html.Append("</ul>");
                break;
            default:
                html.Append(WebUtility.HtmlEncode(e.ValueKind == JsonValueKind.Null ? "—" : e.ToString()));
                break;
        }
    }
}
