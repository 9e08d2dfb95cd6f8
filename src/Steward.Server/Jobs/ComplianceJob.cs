using Steward.Breaches;
using Steward.Dpo;

namespace Steward.Server.Jobs;

/// <summary>
/// Every minute: breach clocks that run down remind and escalate (G-11, P-39), overdue DPO duties and measure reviews alert (P-11, G-09, G-02, P-13), anomalies in the audit log alert the DPO (G-38).
/// Each stage and alert is recorded in the row it concerns inside the same transaction as its outbox message, so
/// several nodes do not repeat one (SQLite writers queue; on PostgreSQL a race sends at most a duplicate reminder).
/// </summary>
public sealed class ComplianceJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ComplianceJob> log)
    : PeriodicJob(scopes, clock, log, TimeSpan.FromMinutes(1))
{
    public override string Name => "Breach clock and duty reminders";

    protected override async Task TickAsync(CancellationToken ct)
    {
        await StepAsync<RemindBreachClocks>(r => r.HandleAsync(ct));
        await StepAsync<RemindDuties>(r => r.HandleAsync(ct));
        await StepAsync<Steward.Measures.RemindMeasureReviews>(r => r.HandleAsync(ct));
        await StepAsync<Steward.Measures.DetectAnomalies>(r => r.HandleAsync(ct));
    }
}
