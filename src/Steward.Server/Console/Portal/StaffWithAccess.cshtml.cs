using Microsoft.AspNetCore.Mvc;
using Steward.Access;

namespace Steward.Server.Console.Portal;

/// <summary>Who at the processor can reach the client's personal data now, from the live grants (<see cref="Access.StaffWithAccess"/>, as GET …/staff-with-access, P-15).</summary>
public sealed class StaffWithAccessModel(Access.StaffWithAccess list) : PortalPage
{
    public List<Access.StaffWithAccess.Person> People { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        People = await list.HandleAsync(Caller.ClientId, ct);
        return Page();
    }
}
