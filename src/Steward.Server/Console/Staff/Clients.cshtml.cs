using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Clients;

namespace Steward.Server.Console.Staff;

/// <summary>The clients with their status and grace window (<see cref="ClientRegister"/>, as GET /v1/processor/clients).</summary>
public sealed class ClientsModel(ClientRegister register) : ConsolePage
{
    public string? Phase { get; private set; }
    public List<ClientRegister.Summary> Clients { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? phase, CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        Phase = string.IsNullOrWhiteSpace(phase) ? null : phase;
        var result = await register.ListAsync(Phase, ct);
        if (result.Error is { } error) ToModelState(error);
        else Clients = result.Value!;
        return Page();
    }

    public static string Label(string phase) => phase switch
    {
        ClientRegister.InGrace => "in grace",
        Steward.Agreements.AgreementOptions.AwaitingSignature => "awaiting signature",
        _ => phase,
    };
}
