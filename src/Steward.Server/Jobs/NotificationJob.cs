using Microsoft.Extensions.Options;
using Steward.Notifications;

namespace Steward.Server.Jobs;

/// <summary>
/// Runs the outbox delivery every few seconds. Safe on several nodes: each message is claimed with a lease (see
/// <see cref="DeliverNotifications"/>). Its clock is the app's TimeProvider, so tests move it by hand.
/// </summary>
public sealed partial class NotificationJob(IServiceScopeFactory scopes, IOptions<MailOptions> options, TimeProvider clock,
    ILogger<NotificationJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DeliverNotifications>().HandleAsync(50, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification delivery failed; it is retried on the next tick")]
    private static partial void LogFailed(ILogger log, Exception exception);
}
