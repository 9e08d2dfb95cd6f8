using Microsoft.Extensions.Options;
using Steward.Notifications;

namespace Steward.Server.Jobs;

/// <summary>
/// Runs the outbox delivery every few seconds. Safe on several nodes: each message is claimed with a lease (see
/// <see cref="DeliverNotifications"/>). Its clock is the app's TimeProvider, so tests move it by hand.
/// </summary>
public sealed class NotificationJob(IServiceScopeFactory scopes, IOptions<MailOptions> options, TimeProvider clock,
    ILogger<NotificationJob> log) : PeriodicJob(scopes, clock, log, TimeSpan.FromSeconds(options.Value.PollSeconds))
{
    public override string Name => "Notification delivery";

    // every node runs it: each item is claimed on its own, so nodes share the backlog and a dead node's claims run out
    protected override bool ClaimsEachItem => true;

    protected override Task TickAsync(CancellationToken ct) => StepAsync<DeliverNotifications>(d => d.HandleAsync(50, ct));
}
