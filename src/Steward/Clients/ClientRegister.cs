using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;
using Steward.Retention;

namespace Steward.Clients;

/// <summary>
/// The processor's view of its clients (the DPO's desk): each client's lifecycle status, where it stands in its grace
/// window (P-07, P-20, G-45), and on the detail the DPA terms in force for it (retention windows and the rest, G-44).
/// </summary>
public sealed class ClientRegister(StewardDb db, Terms terms, TimeProvider clock)
{
    /// <summary><see cref="Phase"/>: active, awaiting-signature, in-grace, cancelled (grace over or destruction chosen), terminated.</summary>
    public sealed record Summary(Guid Id, string Name, string Status, string Phase, DateTimeOffset CreatedAt, DateTimeOffset? CancelledAt,
        DateTimeOffset? PurgeDueAt, int? GraceDaysLeft, DateTimeOffset? PurgedAt, string? TerminationChoice);
    public sealed record Detail(Summary Client, DpaTerms.Effective Terms);

    public const string InGrace = "in-grace";
    public const string Terminated = "terminated";
    public static readonly string[] Phases = [ClientLifecycle.Active, Agreements.AgreementOptions.AwaitingSignature, InGrace, ClientLifecycle.Cancelled, Terminated];

    public async Task<Result<List<Summary>>> ListAsync(string? phase, CancellationToken ct)
    {
        if (phase is not null && !Phases.Contains(phase)) return Errors.Invalid("phase", $"One of: {string.Join(", ", Phases)}.");
        var now = clock.GetUtcNow();
        var clients = await db.Clients.AsNoTracking().OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id).Take(1000).ToListAsync(ct);
        return clients.Select(c => Of(c, now)).Where(c => phase is null || c.Phase == phase).ToList();
    }

    public async Task<Result<Detail>> GetAsync(Guid clientId, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == clientId, ct);
        if (client is null) return Errors.NotFound("client");
        return new Detail(Of(client, clock.GetUtcNow()), await terms.ForAsync(db, clientId, ct));
    }

    /// <summary>A cancelled client is in grace while it may still reactivate: its window is open and it did not choose destruction.</summary>
    public static string PhaseOf(Client c, DateTimeOffset now) => c.Status switch
    {
        ClientLifecycle.Cancelled when c.PurgeDueAt > now && c.TerminationChoice != TerminationChoice.Destroy => InGrace,
        ClientLifecycle.Purging or ClientLifecycle.Purged => Terminated,
        _ => c.Status,
    };

    private static Summary Of(Client c, DateTimeOffset now) => new(c.Id, c.Name, c.Status, PhaseOf(c, now), c.CreatedAt, c.CancelledAt, c.PurgeDueAt,
        c.Status == ClientLifecycle.Cancelled && c.PurgeDueAt is { } due ? Math.Max(0, (int)Math.Ceiling((due - now).TotalDays)) : null,
        c.PurgedAt, c.TerminationChoice);
}
