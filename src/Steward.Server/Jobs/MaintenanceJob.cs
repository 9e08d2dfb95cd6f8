using Steward.Access;
using Steward.Audit;

namespace Steward.Server.Jobs;

/// <summary>
/// Hourly housekeeping: removes access events past their retention (G-47) and reminds the CEOs and DPOs of access
/// grants due for review (P-16, G-40). Each step is its own transaction, safe to run on several nodes.
/// </summary>
public sealed class MaintenanceJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<MaintenanceJob> log)
    : PeriodicJob(scopes, clock, log, TimeSpan.FromHours(1), runAtStart: true)
{
    public override string Name => "Maintenance (audit retention, grant review reminders)";

    protected override async Task TickAsync(CancellationToken ct)
    {
        await StepAsync<PruneAuditLog>("access events removed", async p => (int)(await p.HandleAsync(ct)).Removed);
        await StepAsync<ReviewGrants>(r => r.RemindDueAsync(ct));
    }
}
