using Microsoft.Extensions.Options;
using Steward.Notifications;
using Steward.SubProcessors;

namespace Steward.Server.Jobs;

/// <summary>
/// Sub-processor work on a timer: changes whose notice period has run take effect, the erasure outbox sends
/// its requests to vendors (and escalates overdue ones), and the DPO is reminded of yearly reviews. Its clock is the app's TimeProvider.
/// </summary>
public sealed class SubProcessorJob(IServiceScopeFactory scopes, IOptions<MailOptions> options, TimeProvider clock,
    ILogger<SubProcessorJob> log) : PeriodicJob(scopes, clock, log, TimeSpan.FromSeconds(options.Value.PollSeconds))
{
    public override string Name => "Sub-processor work";

    private bool _residencyChecked;

    protected override async Task TickAsync(CancellationToken ct)
    {
        // the database and backup locations come from the configuration: compared once per start
        if (!_residencyChecked)
        {
            await StepAsync<DataLocations>("clients told of new data locations", d => d.AnnounceResidencyChangeAsync(ct));
            _residencyChecked = true;
        }
        await StepAsync<Changes>(c => c.ActivateDueAsync(ct));
        await StepAsync<DeliverErasures>(d => d.HandleAsync(20, ct));
        await StepAsync<Register>(r => r.RemindReviewsAsync(ct));
    }
}
