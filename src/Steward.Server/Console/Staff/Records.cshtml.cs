using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Records;

namespace Steward.Server.Console.Staff;

/// <summary>
/// The records of processing (Art. 30(1) and 30(2)): the current version of each, generated from live data as the API's
/// GetRecordOfProcessing does (a changed record becomes a new version), every version, and each one's PDF and print page,
/// rendered as the API renders them.
/// </summary>
public sealed class RecordsModel(RecordsOfProcessing records) : ConsolePage
{
    public static readonly string[] Kinds = ["processor", "controller"];

    public sealed record Kind(string Name, RecordsOfProcessing.Versioned Current, List<RecordsOfProcessing.VersionInfo> Versions);

    public List<Kind> Records { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        foreach (var kind in Kinds)
            Records.Add(new Kind(kind, await records.CurrentAsync(kind, ct), await records.HistoryAsync(kind, ct)));
        return Page();
    }

    public async Task<IActionResult> OnGetPdfAsync(string kind, int version, CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        if (await FindAsync(kind, version, ct) is not { } v) return NotFound();
        return File(RecordPdf.Render(v), "application/pdf", $"record-of-processing-{v.Kind}-v{v.Version}.pdf");
    }

    private async Task<RecordsOfProcessing.Versioned?> FindAsync(string kind, int version, CancellationToken ct) =>
        Kinds.Contains(kind) ? (await records.VersionAsync(kind, version, ct)).Value : null;

    public async Task<IActionResult> OnGetPrintAsync(string kind, int version, CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        if (await FindAsync(kind, version, ct) is not { } v) return NotFound();
        var html = RecordsOfProcessing.Html(v);
        // the print page carries its own print stylesheet inline: allowed by its hash alone, nothing else loosened
        var start = html.IndexOf("<style>", StringComparison.Ordinal) + "<style>".Length;
        var style = html[start..html.IndexOf("</style>", start, StringComparison.Ordinal)];
        Response.Headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'; "
            + "frame-ancestors 'none'; base-uri 'none'";
        return Content(html, "text/html; charset=utf-8");
    }
}
