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
/// purge at the end of the window) or "destroy" (the window is cut short: the purge runs now, and the owners get
/// the confirmation).
/// </summary>
public sealed class ChooseTermination(StewardDb db, PurgeClient purge, AuditLog audit)
{
    public sealed record Request(string? Choice);
    public sealed record Response(Guid ClientId, string Choice, string Status, PurgeClient.Report? Destruction);

    public async Task<Result<Response>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        if (request.Choice is not (TerminationChoice.Return or TerminationChoice.Destroy))
            return Errors.Invalid("choice", "Choose \"return\" or \"destroy\".");
        await using (var write = await db.BeginWriteAsync(ct))
        {
            var client = await db.Clients.SingleAsync(c => c.Id == clientId, ct);
            if (client.Status != ClientLifecycle.Cancelled) return Errors.Conflict("Cancel the subscription first: the choice is made at termination.");
            client.TerminationChoice = request.Choice;
            await audit.RecordAsync(db, "ChooseTermination", "client", clientId.ToString(), ct, clientId);
            await write.CommitAsync(ct);
        }
        if (request.Choice == TerminationChoice.Return) return new Response(clientId, request.Choice, ClientLifecycle.Cancelled, null);
        var report = await purge.HandleAsync(clientId, ct);
        return new Response(clientId, request.Choice, ClientLifecycle.Purged, report);
    }
}
