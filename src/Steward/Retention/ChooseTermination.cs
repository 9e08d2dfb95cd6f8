using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Clients;
using Steward.Data;
using Steward.Http;

namespace Steward.Retention;

public static class TerminationChoice
{
    public const string Return = "return";
    public const string Destroy = "destroy";
}

/// <summary>
/// At termination the client chooses (P-47, Art. 28(3)(g)): "return" (export through return-exports, then the
/// purge at the end of the window) or "destroy" (the window is cut short: a destruction of the whole client is filed
/// at once, and runs with its residual scan and report as soon as a CEO and a DPO approve it, P-26).
/// </summary>
public sealed class ChooseTermination(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record Request(string? Choice);
    /// <param name="DestructionId">With "destroy": the destruction awaiting approval, whose report the client reads under /destructions.</param>
    public sealed record Response(Guid ClientId, string Choice, string Status, Guid? DestructionId);

    public async Task<Result<Response>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        if (request.Choice is not (TerminationChoice.Return or TerminationChoice.Destroy))
            return Errors.Invalid("choice", "Choose \"return\" or \"destroy\".");
        await using var write = await db.BeginWriteAsync(ct);
        var client = await db.Clients.SingleAsync(c => c.Id == clientId, ct);
        if (client.Status != ClientLifecycle.Cancelled) return Errors.Conflict("Cancel the subscription first: the choice is made at termination.");
        if (client.TerminationChoice == TerminationChoice.Destroy) return Errors.Conflict("Destruction is already chosen.");
        client.TerminationChoice = request.Choice;
        await audit.RecordAsync(db, "ChooseTermination", "client", clientId.ToString(), ct, clientId);
        Destruction? destruction = null;
        if (request.Choice == TerminationChoice.Destroy)
            destruction = await RequestDestruction.FileAsync(db, audit, clientId, null, "The client chose destruction at termination (P-47).", null,
                clock.GetUtcNow(), ct);
        await write.CommitAsync(ct);
        return new Response(clientId, request.Choice, client.Status, destruction?.Id);
    }
}
