using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Clients;
using Steward.Http;

namespace Steward.Server.Console.Staff;

/// <summary>
/// One client: status, grace window and the DPA terms in force (<see cref="ClientRegister"/>, as GET /v1/processor/clients/{id}),
/// and who at the processor can reach its data (<see cref="StaffWithAccess"/>, what the client reads under /staff-with-access).
/// </summary>
public sealed class ClientModel(ClientRegister register, StaffWithAccess withAccess) : ConsolePage
{
    [FromRoute] public Guid ClientId { get; set; }
    public ClientRegister.Detail? Detail { get; private set; }
    public List<StaffWithAccess.Person> People { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        var result = await register.GetAsync(ClientId, ct);
        if (result.Error is { } error)
        {
            ToModelState(error);
            if (error is NotFoundError) Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Detail = result.Value;
        People = await withAccess.HandleAsync(ClientId, ct);
        return Page();
    }
}
