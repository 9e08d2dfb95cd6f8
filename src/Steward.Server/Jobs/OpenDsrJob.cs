using Microsoft.Extensions.Options;
using Steward.OpenDsr;

namespace Steward.Server.Jobs;

/// <summary>
/// Carries out pending OpenDSR requests and sends their status callbacks every few seconds. Safe on several nodes:
/// requests and callbacks are claimed under FOR UPDATE SKIP LOCKED (see <see cref="ProcessOpenDsrRequests"/> and
/// <see cref="DeliverOpenDsrCallbacks"/>). Its clock is the app's TimeProvider, so tests move it by hand.
/// </summary>
public sealed class OpenDsrJob(IServiceScopeFactory scopes, IOptions<OpenDsrOptions> options, TimeProvider clock, ILogger<OpenDsrJob> log)
    : PeriodicJob(scopes, clock, log, TimeSpan.FromSeconds(options.Value.PollSeconds))
{
    public override string Name => "OpenDSR processing";

    // every node runs it: each item is claimed on its own, so nodes share the backlog and a dead node's claims run out
    protected override bool ClaimsEachItem => true;

    protected override async Task TickAsync(CancellationToken ct)
    {
        await StepAsync<ProcessOpenDsrRequests>(p => p.HandleAsync(20, ct));
        await StepAsync<DeliverOpenDsrCallbacks>(d => d.HandleAsync(50, ct));
    }
}
