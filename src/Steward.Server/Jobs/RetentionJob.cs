using Steward.Retention;

namespace Steward.Server.Jobs;

/// <summary>
/// Hourly retention: purges the clients whose grace window has ended, finishing any purge cut short (P-20, G-45),
/// erases the contacts whose time in the trash is up (G-44), and carries on approved destructions: those a lifted hold
/// releases, runs cut short, and re-scans of open ones (P-26). Every step is idempotent; a legal hold suspends them all (G-21).
/// </summary>
public sealed class RetentionJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<RetentionJob> log)
    : PeriodicJob(scopes, clock, log, TimeSpan.FromHours(1), runAtStart: true)
{
    public override string Name => "Retention (client purges, trash, destructions, packages, codes, outbox)";

    protected override async Task TickAsync(CancellationToken ct)
    {
        await StepAsync<PurgeClient>("clients purged", p => p.DueAsync(ct));
        await StepAsync<EmptyTrash>("contacts erased from the trash", e => e.HandleAsync(ct));
        await StepAsync<RunDestruction>("destructions carried on", r => r.DueAsync(ct));
        await StepAsync<ExpireData>("unclaimed access packages shredded", e => e.PackagesAsync(ct));
        await StepAsync<ExpireData>("expired verification codes cleared", e => e.VerificationCodesAsync(ct));
        await StepAsync<ExpireData>("sent messages' content shredded", e => e.OutboxAsync(ct));
    }
}
