using Microsoft.Extensions.Options;
using Steward.Notifications;
using Steward.SubProcessors;

namespace Steward.Server.Jobs;

/// <summary>
/// Sub-processor work on a timer: changes whose notice period has run take effect, the erasure outbox sends
/// its requests to vendors (and escalates overdue ones), and the DPO is reminded of yearly reviews. Its clock is the app's TimeProvider.
/// </summary>
public sealed partial class SubProcessorJob(IServiceScopeFactory scopes, IOptions<MailOptions> options, TimeProvider clock,
    ILogger<SubProcessorJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<Changes>().ActivateDueAsync(stoppingToken);
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<DeliverErasures>().HandleAsync(20, stoppingToken);
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<Register>().RemindReviewsAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sub-processor work failed; it is retried on the next tick")]
    private static partial void LogFailed(ILogger log, Exception exception);
}
