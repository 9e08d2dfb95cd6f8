using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Breaches;
using Steward.Data;
using Steward.Notifications;
using Steward.Requests;

namespace Steward.Health;

/// <summary>
/// Steward's own meter and activity source (exported over OTLP when configured, see docs/operations.md): job runs
/// and their duration, and gauges an operator alerts on — the outbox backlog, overdue subject requests and the breach
/// clocks still running. The gauges count rows across clients when a collector asks; they carry no personal data.
/// </summary>
public sealed class StewardMetrics
{
    public const string Name = "Steward";
    public static readonly ActivitySource Activities = new(Name);

    private readonly Counter<long> _jobRuns;
    private readonly Histogram<double> _jobDuration;

    public StewardMetrics(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock)
    {
        var meter = meters.Create(Name);
        _jobRuns = meter.CreateCounter<long>("steward.job.runs", "{run}", "Scheduled job runs on this node, by job and outcome");
        _jobDuration = meter.CreateHistogram<double>("steward.job.duration", "s", "How long a job run took");
        meter.CreateObservableGauge("steward.outbox.backlog", () => Count(scopes, db => db.OutboxMessages.Count(m => m.Status == OutboxMessage.Pending)),
            "{message}", "Outbox messages not yet delivered");
        meter.CreateObservableGauge("steward.requests.overdue", () => Count(scopes, db =>
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return db.SubjectRequests.IgnoreQueryFilters().Count(r => r.DueOn < today
                && (r.Status == SubjectRequest.Received || r.Status == SubjectRequest.Verified || r.Status == SubjectRequest.InProgress));
        }), "{request}", "Open subject requests past their due date");
        meter.CreateObservableGauge("steward.breaches.open_clocks", () => Count(scopes, db =>
        {
            var open = db.Set<Breach>().Where(b => b.AwareAt != null && b.Status != Breach.NotABreach);
            return db.Set<AffectedClient>().IgnoreQueryFilters().Count(a => a.NotifiedAt == null && a.DueAt != null && open.Any(b => b.Id == a.BreachId))
                + open.Count(b => b.ProcessorIsController && b.AuthorityNotifiedAt == null && b.Risk != "none");
        }), "{clock}", "Breach notification deadlines still running (to clients and to the authority)");
    }

    public void JobRan(string job, TimeSpan took, bool failed)
    {
        var tags = new TagList { { "job", job }, { "outcome", failed ? "failed" : "success" } };
        _jobRuns.Add(1, tags);
        _jobDuration.Record(took.TotalSeconds, tags);
    }

    /// <summary>A gauge's reading in a scope of its own; an unreachable database reports nothing rather than failing the export.</summary>
    private static IEnumerable<Measurement<int>> Count(IServiceScopeFactory scopes, Func<StewardDb, int> count)
    {
        int value;
        try
        {
            using var scope = scopes.CreateScope();
            value = count(scope.ServiceProvider.GetRequiredService<StewardDb>());
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
        {
            return [];
        }
        return [new Measurement<int>(value)];
    }
}
