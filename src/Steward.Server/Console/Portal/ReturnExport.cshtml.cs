using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Retention;

namespace Steward.Server.Console.Portal;

/// <summary>
/// A return of all the client's data as a file (<see cref="Retention.ReturnExport"/>, as POST …/return-exports, with the
/// export right): counted, alerting the CEO and the DPO. The path ends as the API's, so a cancelled client may use it.
/// </summary>
public sealed class ReturnExportModel(ReturnExport export) : PortalPage
{
    public IActionResult OnGet() => Redirect("/console/portal/account");

    public async Task<IActionResult> OnPostAsync(string? format, CancellationToken ct)
    {
        if (!May(Rights.Export)) return RefuseRight();
        var result = await export.HandleAsync(Caller.ClientId, format, ct);
        if (result.Error is { } error) return BadRequest(error.Detail);
        Response.Headers.CacheControl = "no-store";
        return File(result.Value!.Content, result.Value.ContentType, result.Value.Name);
    }
}
