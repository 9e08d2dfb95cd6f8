using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Retention;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The client's trash (<see cref="ReadTrash"/>): each deleted contact and the day it is erased. Restoring is the
/// processor's support's (G-44; the API's restore is staff-only), so the page says whom to ask, with the contact's id.
/// </summary>
public sealed class TrashModel(ReadTrash trash) : PortalPage
{
    public List<ReadTrash.Item> Items { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        Items = await trash.HandleAsync(Caller.ClientId, ct);
        return Page();
    }
}
