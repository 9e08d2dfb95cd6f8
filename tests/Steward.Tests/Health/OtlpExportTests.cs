using System.Diagnostics;
using System.Text;
using Steward.Tests.Infrastructure;
using Steward.Tests.Verification;

namespace Steward.Tests.Health;

/// <summary>
/// Issue 9, observability end to end: the real server process exports traces and metrics over OTLP/HTTP to a
/// receiver on loopback that records each POST (protobuf: span and instrument names are plain UTF-8 in the body).
/// </summary>
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("Steward__Telemetry__OtlpEndpoint")]
    public async Task Observability_traces_and_metrics_reach_an_otlp_collector_on_their_signal_paths(string setting)
    {
        using var collector = CallbackReceiver.Start();
        await using var server = await Deployment.CreateAsync(Engine.Sqlite);
        server.Settings[setting] = new Uri(collector.Url).GetLeftPart(UriPartial.Authority);
        server.Settings["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        server.Settings["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        await server.StartAsync();
        await server.SignUpAsync();

        string Received(string path) => string.Concat(collector.Calls.Where(c => c.Path == path).Select(c => Encoding.UTF8.GetString(c.Body)));
        var watch = Stopwatch.StartNew();
        while (!(Received("/v1/traces").Contains("POST /v1/signup", StringComparison.Ordinal)
            && Received("/v1/metrics").Contains("steward.outbox.backlog", StringComparison.Ordinal)))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "nothing arrived on "
                + string.Join(", ", collector.Calls.Select(c => c.Path).Distinct()) + "\n" + server.Output);
            await Task.Delay(100);
        }
        // spans are named by route template; the probes are left out; all is OTLP/HTTP protobuf
        var traces = Received("/v1/traces");
        Assert.Contains("GET /v1/agreements", traces, StringComparison.Ordinal);
        Assert.DoesNotContain("/readyz", traces, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", Received("/v1/metrics"), StringComparison.Ordinal);
        Assert.All(collector.Calls, c => Assert.Equal("application/x-protobuf", c.Headers["Content-Type"]));
        Assert.All(collector.Calls, c => Assert.Contains(c.Path, new[] { "/v1/traces", "/v1/metrics" }));
    }
}
