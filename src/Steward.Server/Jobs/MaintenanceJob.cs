using Steward.Access;
using Steward.Audit;

namespace Steward.Server.Jobs;

/// <summary>
/// Hourly housekeeping: removes access events past their retention (G-47) and reminds the CEOs and DPOs of access
/// grants due for review (P-16, G-40). Each step is its own transaction, safe to run on several nodes.
/// </summary>
public sealed partial class MaintenanceJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<MaintenanceJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<PruneAuditLog>().HandleAsync(stoppingToken);
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<ReviewGrants>().RemindDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Maintenance (audit retention, grant review reminders) failed; it is retried in an hour")]
    private static partial void LogFailed(ILogger log, Exception exception);
}
