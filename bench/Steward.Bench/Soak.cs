using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace Steward.Bench;

/// <summary>
/// Sustained load (issue 10): the real server process (src/Steward.Server, built in Release) on one engine, driven
/// over HTTP at a steady rate with mixed traffic — widget submissions, lookups by email, public subject requests,
/// access exports (request, verify, fulfil, download) and erasures (create, erase) — with a line each minute:
/// throughput, p50/p99 latency, errors, and the server's memory and CPU. Every answer that is not the expected
/// one counts as an error and is shown (status and problem), so a 500 under load is found and named.
/// </summary>
internal static partial class Soak
{
    /// <summary>Operations started per second unless --rate says otherwise, whatever the answers take (open loop: a slow server makes a queue, not a pause).</summary>
    public const int DefaultRate = 25;
    private const int MaxInFlight = 200;

    private static readonly (string Kind, int Weight)[] Mix = [("submit", 40), ("lookup", 30), ("request", 10), ("export", 10), ("erase", 10)];

    public static async Task<int> RunAsync(TimeSpan duration, int rate, string engineName, CancellationToken ct)
    {
        var dll = await BuildServerAsync(ct);

        PostgresServer? postgres = null;
        string? database = null;
        var directory = Directory.CreateTempSubdirectory("steward-soak-").FullName;
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["Steward__DataDirectory"] = directory,
                ["Steward__Keys__KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Steward__Mail__DropDirectory"] = Path.Combine(directory, "mail"),
                ["Steward__RateLimits__PublicPerMinute"] = "10000000",
                ["Steward__RateLimits__SignUpPerMinute"] = "10000000",
                ["Steward__Database__Provider"] = engineName == "postgres" ? "Postgres" : "Sqlite",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            if (engineName == "postgres")
            {
                var (started, problem) = await PostgresServer.TryStartAsync(ct);
                postgres = started ?? throw new InvalidOperationException($"PostgreSQL could not be started: {problem}");
                database = "steward_soak_" + Guid.NewGuid().ToString("N");
                environment["ConnectionStrings__Steward"] = await postgres.CreateDatabaseAsync(database, ct);
                Log.Progress($"soak: postgres {postgres.Description}");
            }
            await using var server = await ServerProcess.StartAsync(dll, directory, environment, ct);
            return await DriveAsync(server, duration, rate, engineName, ct);
        }
        finally
        {
            if (database is not null) await postgres!.DropDatabaseAsync(database);
            if (postgres is not null) await postgres.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The real server (src/Steward.Server) built in Release; its dll's path.</summary>
    public static async Task<string> BuildServerAsync(CancellationToken ct)
    {
        var root = RepositoryRoot();
        Log.Progress("building src/Steward.Server (Release)");
        if (await RunAsync("dotnet", ["build", Path.Combine(root, "src/Steward.Server/Steward.Server.csproj"), "-c", "Release", "-v", "q", "-nologo"], ct) != 0)
            throw new InvalidOperationException("the server did not build");
        return Path.Combine(root, "src/Steward.Server/bin/Release/net10.0/Steward.Server.dll");
    }

    /// <summary>
    /// The server's dll as the bench's own build left it (bench/…/bin/CONFIG/TFM → src/Steward.Server/bin/CONFIG/TFM):
    /// the bench's project reference builds it first, so a dotnet run of the bench needs no second build.
    /// </summary>
    public static string BuiltServer()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(RepositoryRoot(), "src/Steward.Server/bin", output.Parent!.Name, output.Name, "Steward.Server.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"the server is not built: no {dll}");
    }

    private static async Task<int> DriveAsync(ServerProcess server, TimeSpan duration, int rate, string engineName, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MaxInFlight }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        var client = await SignUpAsync(http, ct);
        var widget = await DefineWidgetAsync(http, client, ct);
        var traffic = new Traffic(http, client, widget);
        for (var i = 0; i < 50; i++) await traffic.SubmitAsync(ct); // something to look up from the first second

        Console.WriteLine($"Steward soak: {engineName}, the server process ({server.Description}), {rate} operations/s for {duration.TotalMinutes:0} min, " +
            $"mix {string.Join(", ", Mix.Select(m => $"{m.Kind} {m.Weight}%"))}; at most {MaxInFlight} in flight.");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, shared with other work (load average at start {LoadAverage()}); latency is per operation, all its HTTP calls.");
        Console.WriteLine("minute  ops  ops/s  p50 ms  p99 ms  errors  late  server RSS MB  server CPU s  load avg");
        var all = new ConcurrentBag<(string Kind, double Ms)>();
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var pending = new List<Task>();
        long late = 0;
        var clock = Stopwatch.StartNew();
        var inFlight = new SemaphoreSlim(MaxInFlight);
        var minute = new ConcurrentBag<double>();
        var minuteErrors = 0;
        var minuteLate = 0L;
        var cpuAtMinute = server.CpuTime();
        var random = new Random(20261206);
        var weights = Mix.Sum(m => m.Weight);
        long started = 0;
        var nextReport = TimeSpan.FromMinutes(1);
        while (clock.Elapsed < duration)
        {
            ct.ThrowIfCancellationRequested();
            var due = TimeSpan.FromSeconds((double)started / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, ct);
            started++;
            var pick = random.Next(weights);
            var kind = Mix.First(m => (pick -= m.Weight) < 0).Kind;
            if (!inFlight.Wait(0, CancellationToken.None))
            {
                Interlocked.Increment(ref late); // the server is that far behind: counted, not queued without bound
                Interlocked.Increment(ref minuteLate);
                continue;
            }
            pending.Add(Task.Run(async () =>
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await traffic.RunAsync(kind, ct);
                    var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    all.Add((kind, ms));
                    minute.Add(ms);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    var key = $"{kind}: {(e is UnexpectedAnswer u ? u.Message : e.GetType().Name + ": " + e.Message)}";
                    key = TraceId().Replace(key, ""); // the same failure on many calls counts as one kind
                    errors.AddOrUpdate(key[..Math.Min(key.Length, 400)], 1, (_, n) => n + 1);
                    Interlocked.Increment(ref minuteErrors);
                }
                finally
                {
                    inFlight.Release();
                }
            }, ct));
            if (clock.Elapsed >= nextReport)
            {
                var done = minute.ToArray();
                minute.Clear();
                var cpu = server.CpuTime();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{nextReport.TotalMinutes,6:0}  {done.Length,4}  {done.Length / 60.0,5:F1}  {Percentile(done, 0.50),6:F1}  {Percentile(done, 0.99),6:F1}  " +
                    $"{Interlocked.Exchange(ref minuteErrors, 0),6}  {Interlocked.Exchange(ref minuteLate, 0),4}  {server.WorkingSetMb(),13:F0}  " +
                    $"{(cpu - cpuAtMinute).TotalSeconds,12:F1}  {LoadAverage()}"));
                cpuAtMinute = cpu;
                nextReport += TimeSpan.FromMinutes(1);
                pending.RemoveAll(t => t.IsCompleted);
            }
        }
        await Task.WhenAll(pending);
        var elapsed = clock.Elapsed;

        var results = all.ToArray();
        Console.WriteLine();
        Console.WriteLine("kind      ops   p50 ms   p99 ms  errors");
        foreach (var (kind, _) in Mix)
        {
            var ms = results.Where(r => r.Kind == kind).Select(r => r.Ms).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind,-7}  {ms.Length,5}  {Percentile(ms, 0.50),7:F1}  {Percentile(ms, 0.99),7:F1}  {errors.Where(e => e.Key.StartsWith(kind + ":", StringComparison.Ordinal)).Sum(e => e.Value),6}"));
        }
        var total = results.Select(r => r.Ms).ToArray();
        var errorCount = errors.Values.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: {total.Length} operations in {elapsed.TotalSeconds:F0} s ({total.Length / elapsed.TotalSeconds:F1}/s), p50 {Percentile(total, 0.50):F1} ms, " +
            $"p99 {Percentile(total, 0.99):F1} ms, {errorCount} errors, {late} not started (over {MaxInFlight} in flight), " +
            $"server RSS {server.WorkingSetMb():F0} MB (peak {server.PeakWorkingSetMb():F0} MB), server CPU {server.CpuTime().TotalSeconds:F0} s"));
        foreach (var (what, count) in errors.OrderByDescending(e => e.Value)) Console.WriteLine($"error ×{count}: {what}");
        // what the server logged as exceptions (its log is at Warning), so a 500 is named by its cause
        foreach (var (what, count) in server.Output.Split('\n').Select(l => l.Trim())
                     .Where(l => l.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon && l[..colon].Contains("Exception", StringComparison.Ordinal)
                         && !l.StartsWith("at ", StringComparison.Ordinal))
                     .GroupBy(l => l[..Math.Min(l.Length, 300)]).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2))
            Console.WriteLine($"server logged ×{count}: {what}");
        if (server.Exited) Console.WriteLine("the server process exited during the run:\n" + server.Output);
        return errorCount == 0 && late == 0 && !server.Exited ? 0 : 1;
    }

    [System.Text.RegularExpressions.GeneratedRegex(",?\"traceId\":\"[^\"]*\"")]
    private static partial System.Text.RegularExpressions.Regex TraceId();

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0) return double.NaN;
        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)Math.Ceiling(p * values.Length) - 1)];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "-";

    public static async Task<Client> SignUpAsync(HttpClient http, CancellationToken ct)
    {
        var agreements = await http.GetFromJsonAsync<JsonElement>("/v1/agreements", ct);
        var response = await Expect(await http.PostAsJsonAsync("/v1/signup", new
        {
            name = "Soak client",
            ownerName = "Owner Person",
            ownerEmail = $"owner-{Guid.NewGuid():N}@soak.example",
            ownerPassword = "a long enough password",
            acceptances = agreements.EnumerateArray().Select(a => new { document = a.GetProperty("document").GetString(), version = a.GetProperty("version").GetString(), accepted = true }),
        }, ct), HttpStatusCode.Created);
        return new Client(response.GetProperty("clientId").GetGuid(), response.GetProperty("apiKey").GetString()!);
    }

    public static async Task<Guid> DefineWidgetAsync(HttpClient http, Client client, CancellationToken ct)
    {
        var widget = await Expect(await http.SendAsync(client.Request(HttpMethod.Post, "/widgets", new
        {
            name = "Newsletter",
            fields = new[] { "email", "firstName" },
            purposes = new object[] { new { key = "newsletter", text = "Send me the monthly newsletter", required = true } },
            allowedOrigins = Array.Empty<string>(),
        }), ct), HttpStatusCode.Created);
        return widget.GetProperty("id").GetGuid();
    }

    /// <summary>The answer's JSON when its status is the expected one; otherwise an error naming the status and the problem.</summary>
    public static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
            throw new UnexpectedAnswer($"{response.RequestMessage?.Method} {Route(response.RequestMessage?.RequestUri)} answered {(int)response.StatusCode}, not {(int)expected}: {body[..Math.Min(body.Length, 300)]}");
        return body.Length == 0 || response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) != true
            ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The path with its ids replaced, so the same error on many contacts is counted as one kind.</summary>
    private static string Route(Uri? uri) => uri is null ? "?" : string.Join('/', uri.AbsolutePath.Split('/').Select(s => Guid.TryParse(s, out _) ? "{id}" : s.Length > 40 ? "{token}" : s));

    private sealed class UnexpectedAnswer(string message) : Exception(message);

    public sealed record Client(Guid Id, string ApiKey)
    {
        public HttpRequestMessage Request(HttpMethod method, string path, object? body = null)
        {
            var request = new HttpRequestMessage(method, $"/v1/clients/{Id}{path}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
            if (body is not null) request.Content = JsonContent.Create(body);
            return request;
        }
    }

    /// <summary>The five kinds of operation; the emails submitted so far are what lookups look for.</summary>
    private sealed class Traffic(HttpClient http, Client client, Guid widget)
    {
        private readonly string[] _recent = new string[1024];
        private long _count;

        public Task RunAsync(string kind, CancellationToken ct) => kind switch
        {
            "submit" => SubmitAsync(ct),
            "lookup" => LookupAsync(ct),
            "request" => RequestAsync(ct),
            "export" => ExportAsync(ct),
            _ => EraseAsync(ct),
        };

        public async Task SubmitAsync(CancellationToken ct)
        {
            var email = $"s{Guid.NewGuid():N}@soak.example";
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/public/widgets/{widget}/submissions")
            {
                Content = JsonContent.Create(new { fields = new { email, firstName = "Soak" }, consents = new { newsletter = true } }),
            };
            await Expect(await http.SendAsync(request, ct), HttpStatusCode.Created);
            _recent[Interlocked.Increment(ref _count) % _recent.Length] = email;
        }

        private async Task LookupAsync(CancellationToken ct)
        {
            string? email = null;
            while (email is null)
            {
                var count = Interlocked.Read(ref _count);
                email = _recent[(count - Random.Shared.NextInt64(Math.Min(count, _recent.Length))) % _recent.Length];
            }
            var found = await Expect(await http.SendAsync(client.Request(HttpMethod.Get, $"/contacts?email={Uri.EscapeDataString(email!)}"), ct), HttpStatusCode.OK);
            if (found.GetProperty("items").GetArrayLength() != 1) throw new UnexpectedAnswer($"lookup: {email} found {found.GetProperty("items").GetArrayLength()} times, not once");
        }

        private async Task RequestAsync(CancellationToken ct) =>
            await Expect(await http.PostAsJsonAsync("/v1/public/requests",
                new { clientId = client.Id, type = "access", emails = new[] { $"r{Guid.NewGuid():N}@soak.example" } }, ct), HttpStatusCode.Accepted);

        /// <summary>An access request the client records and verifies, fulfilled, and its package downloaded once.</summary>
        private async Task ExportAsync(CancellationToken ct)
        {
            var email = $"e{Guid.NewGuid():N}@soak.example";
            await Expect(await http.SendAsync(client.Request(HttpMethod.Post, "/contacts", new { email, firstName = "Exported" }), ct), HttpStatusCode.Created);
            var request = await Expect(await http.SendAsync(client.Request(HttpMethod.Post, "/requests", new { type = "access", emails = new[] { email } }), ct), HttpStatusCode.Created);
            var id = request.GetProperty("id").GetGuid();
            await Expect(await http.SendAsync(client.Request(HttpMethod.Post, $"/requests/{id}/status", new { status = "verified", reason = (string?)null }), ct), HttpStatusCode.OK);
            var fulfilled = await Expect(await http.SendAsync(client.Request(HttpMethod.Post, $"/requests/{id}/fulfilment", new { format = (string?)null }), ct), HttpStatusCode.OK);
            var link = fulfilled.GetProperty("package").GetProperty("downloadUrl").GetString()!;
            await Expect(await http.GetAsync(Uri.TryCreate(link, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : link, ct), HttpStatusCode.OK);
        }

        private async Task EraseAsync(CancellationToken ct)
        {
            var created = await Expect(await http.SendAsync(client.Request(HttpMethod.Post, "/contacts", new { email = $"x{Guid.NewGuid():N}@soak.example", firstName = "Erased" }), ct), HttpStatusCode.Created);
            await Expect(await http.SendAsync(client.Request(HttpMethod.Post, $"/contacts/{created.GetProperty("id").GetGuid()}/erase"), ct), HttpStatusCode.OK);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Steward.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Steward.slnx not found above " + AppContext.BaseDirectory);
    }

    private static async Task<int> RunAsync(string file, string[] args, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true })!;
        Console.Error.Write(await process.StandardOutput.ReadToEndAsync(ct)); // stdout keeps only the report
        await process.WaitForExitAsync(ct);
        return process.ExitCode;
    }

    /// <summary>The server as a separate process, as deployed: its memory and CPU read from outside.</summary>
    public sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();
        private long _peak;

        private ServerProcess(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }
        public string Description => $"pid {_process.Id}, {Address}";
        public bool Exited => _process.HasExited;
        public string Output { get { lock (_output) return _output.ToString(); } }

        public static async Task<ServerProcess> StartAsync(string dll, string directory, Dictionary<string, string> environment, CancellationToken ct)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            var address = new Uri($"http://127.0.0.1:{port}");
            var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
            foreach (var (key, value) in environment) start.Environment[key] = value;
            start.Environment["ASPNETCORE_URLS"] = address.ToString();
            start.Environment["Urls"] = address.ToString();
            var server = new ServerProcess(Process.Start(start)!, address);
            server._process.OutputDataReceived += (_, e) => { lock (server._output) server._output.AppendLine(e.Data); };
            server._process.ErrorDataReceived += (_, e) => { lock (server._output) server._output.AppendLine(e.Data); };
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                if (server._process.HasExited) throw new InvalidOperationException("the server exited at start:\n" + server.Output);
                try
                {
                    if ((await http.GetAsync("/readyz", ct)).StatusCode == HttpStatusCode.OK) return server;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
                await Task.Delay(200, ct);
            }
            throw new TimeoutException("the server did not become ready:\n" + server.Output);
        }

        public double WorkingSetMb()
        {
            _process.Refresh();
            var bytes = _process.HasExited ? 0 : _process.WorkingSet64;
            _peak = Math.Max(_peak, bytes);
            return bytes / (1024.0 * 1024);
        }

        public double PeakWorkingSetMb() => _peak / (1024.0 * 1024);

        public TimeSpan CpuTime()
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }
}
