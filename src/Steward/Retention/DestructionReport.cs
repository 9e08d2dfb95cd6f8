using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Steward.Retention;

/// <summary>
/// The destruction report (P-26): scope, method, key ids destroyed, hits per store of the last residual scan,
/// approvers, verifier, times. The client's proof, as JSON and as a printable page (print to PDF from any browser).
/// </summary>
public static class DestructionReport
{
    public sealed record Approval(Guid StaffId, DateTimeOffset At);
    public sealed record StoreCount(string Store, int? Found);
    public sealed record View(Guid Id, Guid ClientId, string Scope, int ContactsInScope, string Reason, string Status, string Method,
        Guid? RequestedBy, DateTimeOffset RequestedAt, Approval? CeoApproval, Approval? DpoApproval, DateTimeOffset? DestroyedAt,
        int ContactsDestroyed, long KeysDestroyed, List<Guid> KeyIdsDestroyed, List<StoreCount> Stores, int Scans, DateTimeOffset? LastScanAt,
        string? Verifier, DateTimeOffset? CompletedAt);

    /// <param name="storeNames">Every store the scan searches: each is listed, scanned or not yet.</param>
    public static View Of(Destruction d, IEnumerable<string> storeNames)
    {
        var counts = d.ScanCounts is null ? [] : JsonSerializer.Deserialize<Dictionary<string, int>>(d.ScanCounts)!;
        var stores = storeNames.Union(counts.Keys).Order(StringComparer.Ordinal)
            .Select(s => new StoreCount(s, counts.TryGetValue(s, out var n) ? n : null)).ToList();
        var keyIds = d.DestroyedAt is null || d.KeyIds is null ? [] : d.KeyIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
        return new View(d.Id, d.ClientId, d.Scope, d.Scope == Destruction.ClientScope ? keyIds.Count : d.ContactList.Count, d.Reason, d.Status,
            RunDestruction.Method, d.RequestedBy, d.RequestedAt,
            d.CeoApprovedBy is { } ceo ? new Approval(ceo, d.CeoApprovedAt!.Value) : null,
            d.DpoApprovedBy is { } dpo ? new Approval(dpo, d.DpoApprovedAt!.Value) : null,
            d.DestroyedAt, d.ContactsDestroyed, d.KeysDestroyed, keyIds, stores, d.Scans, d.LastScanAt, d.VerifiedBy, d.CompletedAt);
    }

    private const string Style = "body{font:14px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto}table{border-collapse:collapse;width:100%}"
        + "th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}th{width:14rem}@media print{body{margin:0}}";

    public static string Html(View v)
    {
        static string E(object? value) => WebUtility.HtmlEncode(value switch
        {
            null => "—",
            DateTimeOffset t => t.ToString("u", CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        });
        var scope = v.Scope == Destruction.ClientScope ? "all the client's data" : $"{v.ContactsInScope} contacts";
        var requester = v.RequestedBy?.ToString() ?? "the client (termination)";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Destruction report {{E(v.Id)}}</title>
            <style>{{Style}}</style></head>
            <body><h1>Destruction report</h1>
            <table>
            <tr><th>Destruction</th><td>{{E(v.Id)}}</td></tr>
            <tr><th>Client</th><td>{{E(v.ClientId)}}</td></tr>
            <tr><th>Scope</th><td>{{E(scope)}}</td></tr>
            <tr><th>Reason</th><td>{{E(v.Reason)}}</td></tr>
            <tr><th>Status</th><td>{{E(v.Status)}}</td></tr>
            <tr><th>Method</th><td>{{E(v.Method)}}</td></tr>
            <tr><th>Requested</th><td>{{E(v.RequestedAt)}} by {{E(requester)}}</td></tr>
            <tr><th>Approved by the CEO</th><td>{{E(v.CeoApproval?.StaffId)}} at {{E(v.CeoApproval?.At)}}</td></tr>
            <tr><th>Approved by the DPO</th><td>{{E(v.DpoApproval?.StaffId)}} at {{E(v.DpoApproval?.At)}}</td></tr>
            <tr><th>Destroyed</th><td>{{E(v.DestroyedAt)}}: {{E(v.ContactsDestroyed)}} contacts, {{E(v.KeysDestroyed)}} keys</td></tr>
            <tr><th>Residual scans</th><td>{{E(v.Scans)}}, last {{E(v.LastScanAt)}}, verified by {{E(v.Verifier)}}</td></tr>
            <tr><th>Completed</th><td>{{E(v.CompletedAt)}}</td></tr>
            </table>
            <h2>Found per store (last scan)</h2>
            <table><tr><th>Store</th><td><b>Records or files found</b></td></tr>
            """);
        foreach (var s in v.Stores) html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(s.Store)}</th><td>{E(s.Found?.ToString(CultureInfo.InvariantCulture) ?? "not scanned")}</td></tr>\n");
        html.Append("</table>\n<h2>Key ids destroyed</h2>\n<p>");
        html.Append(v.KeyIdsDestroyed.Count == 0 ? "—" : string.Join(", ", v.KeyIdsDestroyed));
        html.Append("</p>\n</body></html>\n");
        return html.ToString();
    }
}
