using System.Net;
using System.Text;

namespace Steward.Bench;

/// <summary>
/// widget-http: widget submissions over HTTP on loopback from 64 concurrent callers, against the real server process
/// (src/Steward.Server, Release, as Soak starts it) run on a deployment of its own: contact, consent, audit and the
/// consent-given mail queued in the outbox, durable, one transaction each. The raw limit is the raw one contact per
/// transaction (contact-create's, from CreateFigures) at the same concurrency on that same deployment's database.
/// The two run interleaved, never together. Latency is per submission; PERFORMANCE.md wants p99 ≤ 20 ms.
/// </summary>
internal static class WidgetFigures
{
    public const double P99TargetMs = 20;

    public static async Task<Figure> RunAsync(BenchEngine engine, string serverDll, Settings settings, List<string> notes,
        CancellationToken ct)
    {
        var environment = new Dictionary<string, string>(engine.ServerEnvironment)
        {
            ["Steward__Mail__DropDirectory"] = Path.Combine(engine.DataDirectory, "mail"),
            ["Steward__RateLimits__PublicPerMinute"] = "10000000",
            ["Steward__RateLimits__SignUpPerMinute"] = "10000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var server = await Soak.ServerProcess.StartAsync(serverDll, engine.DataDirectory, environment, ct);
        Log.Progress($"{engine.Name} widget-http: server {server.Description}");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Settings.WidgetConcurrency })
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var client = await Soak.SignUpAsync(http, ct);
        var widget = await Soak.DefineWidgetAsync(http, client, ct);
        await engine.Data.EnsureChainHeadAsync(ct);
        var raw = new CreateFigures.RawCreate(engine, await engine.AddClientAsync("Bench raw widget rate", ct));
        var submit = new Submit(http, widget);
        var measured = await Harness.CompareAsync($"{engine.Name} widget-http",
            [new("steward", _ => Task.FromResult<IWorker>(new CallWorker(submit.OnceAsync))), new("raw", raw.OpenWorkerAsync)],
            Settings.WidgetConcurrency, settings, ct);
        var p99 = measured[0].P99Ms;
        notes.Add($"{engine.Name} widget-http: p99 {p99:F1} ms at {Settings.WidgetConcurrency} concurrent " +
            $"({(p99 <= P99TargetMs ? "meets" : "misses")} the {P99TargetMs:F0} ms target); server RSS {server.WorkingSetMb():F0} MB at the end");
        if (server.Exited) notes.Add($"{engine.Name} widget-http: the server process exited during the run");
        return new Figure("widget-http", engine.Name, measured[0], measured[1], 0.5, Harness.PeakWorkingSet());
    }

    /// <summary>One submission as a page's widget sends it: a new email, a first name, the one purpose consented to.</summary>
    private sealed class Submit(HttpClient http, Guid widget)
    {
        private readonly string _path = $"/v1/public/widgets/{widget}/submissions";
        private long _next;

        public async Task OnceAsync(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _next);
            using var content = new StringContent(
                $$$"""{"fields":{"email":"w{{{n}}}@widget.example","firstName":"Ada {{{n}}}"},"consents":{"newsletter":true}}""",
                Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(_path, content, ct);
            if (response.StatusCode != HttpStatusCode.Created)
                await Soak.Expect(response, HttpStatusCode.Created); // throws, naming the status and the problem
            // a page reads the answer (the receipt): so does the bench, so the connection is reused
            await response.Content.CopyToAsync(Stream.Null, ct);
        }
    }
}
