using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Health;
using Steward.Server.Jobs;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;
using Steward.Tests.Requests;

namespace Steward.Tests.Health;

/// <summary>
/// Issue 9, observability: Steward's meter reports job runs and the gauges an operator alerts on, read in process
/// with a <see cref="MeterListener"/> (no collector, no network), only from this app's meter factory.
/// </summary>
public sealed class TelemetryTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Observability_the_meter_reports_job_runs_outbox_backlog_overdue_requests_and_running_breach_clocks(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var factory = app.Services.GetRequiredService<IMeterFactory>();
        var gauges = new ConcurrentDictionary<string, int>();
        var runs = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == StewardMetrics.Name && instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => gauges[instrument.Name] = value);
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var job = tags.ToArray().Single(t => t.Key == "job").Value;
            var outcome = tags.ToArray().Single(t => t.Key == "outcome").Value;
            runs.AddOrUpdate($"{instrument.Name} {job} {outcome}", value, (_, sum) => sum + value);
        });
        listener.Start();

        listener.RecordObservableInstruments();
        Assert.Equal(0, gauges["steward.requests.overdue"]);
        Assert.Equal(0, gauges["steward.breaches.open_clocks"]);
        var backlogAtStart = gauges["steward.outbox.backlog"];

        // a request received long ago is overdue; a confirmed breach starts a clock for its client; a verification mail waits in the outbox
        var tenant = await app.SignUpAsync();
        await RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "late@example.com" }, receivedAt = "2026-09-01T12:00:00Z" });
        await RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "fresh@example.com" } });
        var breach = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), nature = "Laptop stolen", clientIds = new[] { tenant.ClientId } });
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/breaches/{breach}/status", new { status = "confirmed", note = "disk unencrypted" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().PostAsJsonAsync("/v1/public/requests",
            new { clientId = tenant.ClientId, type = "access", emails = new[] { "subject@example.com" } })).StatusCode);

        listener.RecordObservableInstruments();
        Assert.Equal(1, gauges["steward.requests.overdue"]);
        Assert.Equal(1, gauges["steward.breaches.open_clocks"]);
        Assert.True(gauges["steward.outbox.backlog"] > backlogAtStart, $"backlog {gauges["steward.outbox.backlog"]}, was {backlogAtStart}");

        // a job run is counted under its job; the delivery empties the backlog
        await app.Services.GetServices<PeriodicJob>().OfType<NotificationJob>().Single().RunOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, runs[$"steward.job.runs {nameof(NotificationJob)} success"]);
        listener.RecordObservableInstruments();
        Assert.Equal(0, gauges["steward.outbox.backlog"]);
    }
}
