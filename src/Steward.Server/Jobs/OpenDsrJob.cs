using Microsoft.Extensions.Options;
using Steward.OpenDsr;

namespace Steward.Server.Jobs;

/// <summary>
/// Carries out pending OpenDSR requests and sends their status callbacks every few seconds. Safe on several nodes:
/// requests and callbacks are claimed under FOR UPDATE SKIP LOCKED (see <see cref="ProcessOpenDsrRequests"/> and
/// <see cref="DeliverOpenDsrCallbacks"/>). Its clock is the app's TimeProvider, so tests move it by hand.
/// </summary>
public sealed partial class OpenDsrJob(IServiceScopeFactory scopes, IOptions<OpenDsrOptions> options, TimeProvider clock, ILogger<OpenDsrJob> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<ProcessOpenDsrRequests>().HandleAsync(20, stoppingToken);
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<DeliverOpenDsrCallbacks>().HandleAsync(50, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "OpenDSR processing failed; it is retried on the next tick")]
    private static partial void LogFailed(ILogger log, Exception exception);
}
