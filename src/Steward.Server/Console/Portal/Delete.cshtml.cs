using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Retention;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// Deleting a contact to the trash (G-44) asks again (<see cref="ConfirmClientUser"/>), then runs the API's delete
/// (<see cref="DeleteContact"/>, as DELETE …/contacts/{id}) with its audit event. With no restore window the client's
/// terms make it an erasure, as on the API.
/// </summary>
public sealed class DeleteModel(DeleteContact delete) : PortalPage
{
    [FromRoute] public Guid ContactId { get; set; }
    [BindProperty] public string? Confirmation { get; set; }
    public DeleteContact.Response? Deleted { get; private set; }

    public IActionResult OnGet() => May(Rights.Remove) ? Page() : RefuseRight();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!May(Rights.Remove)) return RefuseRight();
        Deleted = await ConfirmThenAsync(Confirmation, c => delete.HandleAsync(Caller.ClientId, ContactId, c), ct);
        return Page();
    }
}
