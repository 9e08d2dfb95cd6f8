using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Retention;

namespace Steward.Server.Console.Portal;

/// <summary>
/// All the client's data, returned (P-10, G-21): the API's return export (<see cref="ReturnExport"/>, as POST
/// …/return-exports), counted and billable beyond the free ones, with its alert and audit event. POST only.
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
        var file = result.Value!;
        return File(file.Content, file.ContentType, file.Name);
    }
}
