using Steward.Retention;

namespace Steward.Server.Jobs;

/// <summary>
/// Hourly retention: purges the clients whose grace window has ended, finishing any purge cut short (P-20, G-45),
/// and erases the contacts whose time in the trash is up (G-44). Every step is idempotent.
/// </summary>
public sealed class RetentionJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<RetentionJob> log)
    : PeriodicJob(scopes, clock, log, TimeSpan.FromHours(1), runAtStart: true)
{
    public override string Name => "Retention (client purges, trash)";

    protected override async Task TickAsync(CancellationToken ct)
    {
        await StepAsync<PurgeClient>(p => p.DueAsync(ct));
        await StepAsync<EmptyTrash>(e => e.HandleAsync(ct));
    }
}
