using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Requests;

namespace Steward.Server.Console.Portal;

/// <summary>The client's subject requests with their deadlines (<see cref="ReadRequests.ListAsync"/>, as GET …/requests).</summary>
public sealed class RequestsModel(ReadRequests read) : PortalPage
{
    public List<ReadRequests.View> Requests { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        var result = await read.ListAsync(Caller.ClientId, "all", ReadRequests.MaxPageSize, ct);
        if (result.Error is { } error) ToModelState(error);
        else Requests = result.Value!;
        return Page();
    }
}
