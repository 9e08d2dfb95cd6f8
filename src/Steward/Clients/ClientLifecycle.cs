using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;
using Steward.Retention;

namespace Steward.Clients;

/// <summary>
/// A client's life (P-07, P-20, G-45): active → cancelled (storage only: read-only, restorable for the grace
/// window of its DPA terms) → purging → purged. Reactivation inside the window restores normal operation.
/// </summary>
public static class ClientLifecycle
{
    public const string Active = "active";
    public const string Cancelled = "cancelled";
    public const string Purging = "purging";
    public const string Purged = "purged";

    /// <summary>Set by <see cref="ClientAccess"/> when a write reaches a client that is not active.</summary>
    public const string RefusalItem = "steward.client-lifecycle-refusal";

    /// <summary>What a cancelled client may still change: reactivate, choose at termination, get its data back.</summary>
    private static readonly string[] AllowedWhileCancelled = ["/reactivate", "/termination", "/return-exports"];

    /// <summary>Why a write to this client is refused, or null. Reads are always allowed: the data stay the client's.</summary>
    public static async Task<Error?> WriteRefusalAsync(StewardDb db, Guid clientId, string path, CancellationToken ct)
    {
        var status = await db.Clients.AsNoTracking().Where(c => c.Id == clientId).Select(c => c.Status).SingleOrDefaultAsync(ct);
        return status switch
        {
            null or Active => null,
            Cancelled when AllowedWhileCancelled.Any(a => path.EndsWith(a, StringComparison.OrdinalIgnoreCase)) => null,
            Cancelled => Errors.Conflict("The client is cancelled: its data are kept for storage only. Reactivate, choose return or destruction, or export."),
            Agreements.AgreementOptions.AwaitingSignature => Errors.Conflict(
                "The client's data processing agreement is not signed yet: nothing is processed until the processor records the signed copy (G-50)."),
            _ => Errors.Gone("The client's data are erased: nothing can be changed or reactivated."),
        };
    }

    /// <summary>True while the client may be processed (widgets collect, jobs run).</summary>
    public static Task<bool> IsActiveAsync(StewardDb db, Guid clientId, CancellationToken ct) =>
        db.Clients.AnyAsync(c => c.Id == clientId && c.Status == Active, ct);
}

/// <summary>The client cancels its subscription, self-service (P-07): processing stops at once; the grace window starts.</summary>
public sealed class CancelClient(StewardDb db, Terms terms, AuditLog audit, TimeProvider clock)
{
    public sealed record Response(Guid ClientId, string Status, DateTimeOffset CancelledAt, DateTimeOffset PurgeDueAt);

    public async Task<Result<Response>> HandleAsync(Guid clientId, CancellationToken ct)
    {
        var days = (await terms.ForAsync(db, clientId, ct)).PostTerminationDays;
        await using var write = await db.BeginWriteAsync(ct);
        var client = await db.Clients.SingleAsync(c => c.Id == clientId, ct);
        if (client.Status != ClientLifecycle.Active) return Errors.Conflict($"The client is {client.Status}, not active.");
        var now = clock.GetUtcNow();
        client.Status = ClientLifecycle.Cancelled;
        client.CancelledAt = now;
        client.PurgeDueAt = now.AddDays(days);
        await audit.RecordAsync(db, "CancelClient", "client", clientId.ToString(), ct, clientId);
        await write.CommitAsync(ct);
        return new Response(clientId, client.Status, now, client.PurgeDueAt.Value);
    }
}

/// <summary>Reactivation inside the grace window restores everything (P-20); after it, the data are gone and it is refused.</summary>
public sealed class ReactivateClient(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public async Task<Result<ClientEndpoints.ClientView>> HandleAsync(Guid clientId, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var client = await db.Clients.SingleAsync(c => c.Id == clientId, ct);
        if (client.Status == ClientLifecycle.Active) return Errors.Conflict("The client is active.");
        if (client.Status != ClientLifecycle.Cancelled || client.PurgeDueAt <= clock.GetUtcNow())
            return Errors.Gone($"The grace window ended on {client.PurgeDueAt:u}: the client's data are erased and cannot be restored.");
        if (client.TerminationChoice == TerminationChoice.Destroy) return Errors.Gone("The client chose destruction: its data are being erased.");
        client.Status = ClientLifecycle.Active;
        client.CancelledAt = null;
        client.PurgeDueAt = null;
        client.TerminationChoice = null;
        await audit.RecordAsync(db, "ReactivateClient", "client", clientId.ToString(), ct, clientId);
        await write.CommitAsync(ct);
        return new ClientEndpoints.ClientView(client.Id, client.Name, client.Status, client.CreatedAt);
    }
}
