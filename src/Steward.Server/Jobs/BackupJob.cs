using Steward.Backups;

namespace Steward.Server.Jobs;

/// <summary>
/// Hourly: backups a crash cut short and expired backups lose their key and file, then a backup is taken when the latest is a day old (P-19,
/// G-29). Checking hourly instead of sleeping a day keeps the schedule through restarts.
/// </summary>
public sealed class BackupJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<BackupJob> log)
    : PeriodicJob(scopes, clock, log, TimeSpan.FromHours(1))
{
    public override string Name => "Backups (retention, daily backup)";

    protected override async Task TickAsync(CancellationToken ct)
    {
        await StepAsync<CreateBackup>("abandoned backups cleared", c => c.ClearAbandonedAsync(ct));
        await StepAsync<PruneBackups>("expired backups removed", p => p.HandleAsync(ct));
        await StepAsync<CreateBackup>(c => c.DueAsync(ct));
    }
}
