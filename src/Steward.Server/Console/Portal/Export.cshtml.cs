using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Retention;

namespace Steward.Server.Console.Portal;

/// <summary>
/// All the client's data, returned (P-10, G-21): the API's return export (<see cref="ReturnExport"/>, as POST
/// …/return-exports), counted and billable beyond the free ones, with its alert and audit event. Its path ends as the
/// API's, so a cancelled client may still take its data (<see cref="Clients.ClientLifecycle"/>).
/// </summary>
public sealed class ExportModel(ReturnExport export) : PortalPage
{
    public string Format { get; private set; } = "json";

    public IActionResult OnGet() => May(Rights.Export) ? Page() : RefuseRight();

    public async Task<IActionResult> OnPostAsync(string? format, CancellationToken ct)
    {
        if (!May(Rights.Export)) return RefuseRight();
        Format = format ?? "json";
        var result = await export.HandleAsync(Caller.ClientId, format, ct);
        if (result.Error is { } error)
        {
            ToModelState(error);
            return Page();
        }
        // streamed as the API does: a page of contacts at a time, never the whole document in memory
        var file = result.Value!;
        Response.ContentType = file.ContentType;
        Response.Headers.CacheControl = "no-store";
        Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = file.Name }.ToString();
        await file.WriteToAsync(Response.Body, ct);
        return new EmptyResult();
    }
}
