using Steward.Breaches;
using Steward.Dpo;

namespace Steward.Server.Jobs;

/// <summary>
/// Every minute: breach clocks that run down remind and escalate (G-11, P-39), overdue DPO duties alert (P-11, G-09).
/// Each stage and alert is recorded in the row it concerns inside the same transaction as its outbox message, so
/// several nodes do not repeat one (SQLite writers queue; on PostgreSQL a race sends at most a duplicate reminder).
/// </summary>
public sealed partial class ComplianceJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ComplianceJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<RemindBreachClocks>().HandleAsync(stoppingToken);
                await scope.ServiceProvider.GetRequiredService<RemindDuties>().HandleAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Breach clock and duty reminders failed; retried on the next tick")]
    private static partial void LogFailed(ILogger log, Exception exception);
}
