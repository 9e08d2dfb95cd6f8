using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Contacts;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// Erasing a contact asks again (<see cref="ConfirmClientUser"/>: the password or a current code), then runs the API's
/// erasure (<see cref="EraseContact"/>, as POST …/contacts/{id}/erase) with its audit event.
/// </summary>
public sealed class EraseModel(EraseContact erase) : PortalPage
{
    [FromRoute] public Guid ContactId { get; set; }
    [BindProperty] public string? Confirmation { get; set; }
    public EraseContact.Receipt? Receipt { get; private set; }

    public IActionResult OnGet() => May(Rights.Remove) ? Page() : RefuseRight();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!May(Rights.Remove)) return RefuseRight();
        Receipt = await ConfirmThenAsync(Confirmation, c => erase.HandleAsync(Caller.ClientId, ContactId, c), ct);
        return Page();
    }
}
