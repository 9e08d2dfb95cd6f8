using System.Net;

namespace Steward.Bench;

/// <summary>
/// lookup-http: a contact found by email over HTTP (GET …/contacts?email=, the API's search) on loopback from 16
/// concurrent callers, against the real server process (src/Steward.Server, as widget-http starts it) on the same
/// deployment as lookup-email. The API writes a chained audit event for every request (G-47), so the limit of the same
/// work is the raw in-process lookup with that write, at the same concurrency; the note gives the raw lookup without it
/// too. PERFORMANCE.md wants p99 ≤ 5 ms.
/// </summary>
internal static class LookupHttpFigures
{
    public const double P99TargetMs = 5;
    public const int Concurrency = 16;

    public static async Task<Figure> RunAsync(BenchEngine engine, string serverDll, Settings settings, List<string> notes, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>(engine.ServerEnvironment)
        {
            ["Steward__RateLimits__SignUpPerMinute"] = "10000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var server = await Soak.ServerProcess.StartAsync(serverDll, engine.DataDirectory, environment, ct);
        Log.Progress($"{engine.Name} lookup-http: server {server.Description}");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency })
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var client = await Soak.SignUpAsync(http, ct);
        var count = settings.LookupContacts;
        await LookupFigures.SeedAsync(engine, client.Id, count, ct);
        await engine.Data.EnsureChainHeadAsync(ct);
        var find = new Find(http, client, count);
        // --quick: one short run of each (the figure must cost CI seconds, not a minute); the full run as the others
        var run = settings.Quick ? settings.Brief with { Runs = 1 } : settings;
        var measured = await Harness.CompareAsync($"{engine.Name} lookup-http",
            [
                new("steward", _ => Task.FromResult<IWorker>(new CallWorker(find.OnceAsync))),
                new("raw", new LookupFigures.RawLookup(engine, client.Id, count).OpenWorkerAsync),
                new("raw+audit", new LookupFigures.RawLookup(engine, client.Id, count, audited: true).OpenWorkerAsync),
            ], Concurrency, run, ct);
        var (steward, bare, audited) = (measured[0], measured[1], measured[2]);
        notes.Add($"{engine.Name} lookup-http: p50 {steward.P50Ms:F2} ms, p99 {steward.P99Ms:F2} ms at {Concurrency} concurrent " +
            $"({(steward.P99Ms <= P99TargetMs ? "meets" : "misses")} the {P99TargetMs:F0} ms target); every request writes a chained " +
            $"audit event: the raw lookup with that write (the limit) does {audited.PerSecond:F0}/s (p99 {audited.P99Ms:F2} ms), " +
            $"without it {bare.PerSecond:F0}/s (p99 {bare.P99Ms:F2} ms); server RSS {server.WorkingSetMb():F0} MB");
        if (server.Exited) notes.Add($"{engine.Name} lookup-http: the server process exited during the run");
        return new Figure("lookup-http", engine.Name, steward, audited, 0.5, Harness.PeakWorkingSet());
    }

    /// <summary>One search by email as a client's system sends it, and the answer read: exactly the one contact.</summary>
    private sealed class Find(HttpClient http, Soak.Client client, int count)
    {
        public async Task OnceAsync(CancellationToken ct)
        {
            var email = LookupFigures.Email(Random.Shared.Next(count));
            using var request = client.Request(HttpMethod.Get, $"/contacts?email={Uri.EscapeDataString(email)}");
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.OK) await Soak.Expect(response, HttpStatusCode.OK); // throws, naming the problem
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!body.Contains(email, StringComparison.Ordinal)) throw new InvalidOperationException("The search did not answer the contact.");
        }
    }
}
