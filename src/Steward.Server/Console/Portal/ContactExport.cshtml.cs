using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Audit;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;
using Steward.Requests;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The client's copy of one contact: everything held about it, as the API's subject search gives it
/// (<see cref="SearchSubjects"/>, GET …/subjects?contactId=, built by <see cref="SubjectData"/> as the Art. 15 package is),
/// as a JSON download. POST only, as every export; like every export it alerts the CEO and the DPO (P-25).
/// </summary>
public sealed class ContactExportModel(SearchSubjects search, ExportAlert alert, AuditLog audit, StewardDb db) : PortalPage
{
    [FromRoute] public Guid ContactId { get; set; }
    public bool NeedsReason { get; private set; }

    public IActionResult OnGet() => May(Rights.Export) ? Page() : RefuseRight();

    public async Task<IActionResult> OnPostAsync(string? reason, CancellationToken ct)
    {
        if (!May(Rights.Export)) return RefuseRight();
        var result = await search.HandleAsync(Caller.ClientId, null, null, ContactId, string.IsNullOrWhiteSpace(reason) ? null : reason, ct);
        if (result.Error is ForbiddenError) NeedsReason = true;
        else if (result.Error is { } error) ToModelState(error);
        if (result.Error is not null) return Page();
        if (!result.Value!.Found) return NotFound();
        await using (var write = await db.BeginWriteAsync(ct))
        {
            await alert.RaiseAsync(db, Caller.ClientId, "portal contact copy", result.Value.Subjects.Count, ct);
            await audit.RecordAsync(db, "ExportContact", "contact", ContactId.ToString(), ct);
            await write.CommitAsync(ct);
        }
        return File(JsonSerializer.SerializeToUtf8Bytes(result.Value, Json.Strict), "application/json", $"steward-contact-{ContactId}.json");
    }
}
