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
        Response.Headers.CacheControl = "no-store";
        return new Streamed(result.Value!);
    }

    /// <summary>Streamed as the API streams it, a page of contacts at a time; as a result, so that the console's headers
    /// go before the body.</summary>
    private sealed class Streamed(ReturnExport.File file) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => Results.Stream(
            body => file.WriteToAsync(body, context.HttpContext.RequestAborted), file.ContentType, file.Name).ExecuteAsync(context.HttpContext);
    }
}
