using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Steward.Bench;

/// <summary>
/// export-memory (export-memory-json, export-memory-csv): the peak working set of one whole return export by Steward
/// (ReturnExport streamed to nowhere) of a client with the small and then with the large number of contacts
/// (PERFORMANCE.md: flat from 10 k to 1 M, at most +50 MB; --quick 1 k and 10 k). Each export runs alone in a fresh
/// child process (this bench, --export-memory-child) on the same deployment, with the server's settings and its
/// GC, so that its peak is the export's and not what earlier figures left in the bench's heap: the child starts
/// Steward, collects, resets its high-water mark, exports, and reports its peak. The figure's "steward" column is the
/// peak in MB at the small size, its "limit" the peak at the large size; the ratio small / large is higher-is-better,
/// 1.0 flat, and its floor is small / (small + 50 MB): the ratio meets it exactly when the growth is at most 50 MB.
/// </summary>
internal static class ExportMemoryFigures
{
    public const string ChildArgument = "--export-memory-child";
    private const double GrowthLimitMb = 50;
    private const double Mb = 1024.0 * 1024;

    /// <param name="large">A client of the engine with <see cref="Settings.LookupContacts"/> contacts (the lookups' population).</param>
    public static async Task<Figure[]> RunAsync(BenchEngine engine, Guid large, Settings settings, List<string> notes, CancellationToken ct)
    {
        var (smallSize, largeSize) = (settings.ExportMemorySizes.Small, settings.LookupContacts);
        var small = await engine.AddClientAsync("Bench export memory", ct);
        var clock = Stopwatch.StartNew();
        await LookupFigures.SeedAsync(engine, small, smallSize, ct);
        Log.Progress($"{engine.Name}: export-memory's client of {smallSize:N0} contacts seeded in {clock.Elapsed.TotalSeconds:F1} s");
        // the two formats side by side, each in its own processes (the large exports take minutes each): a process's
        // peak is its own, the other one only takes CPU time from it
        return await Task.WhenAll(new[] { "json", "csv" }.Select(async format =>
        {
            var atSmall = await ChildExportAsync(engine, small, format, smallSize, ct);
            var atLarge = await ChildExportAsync(engine, large, format, largeSize, ct);
            var (s, l) = (atSmall.PeakMb, atLarge.PeakMb);
            lock (notes)
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{engine.Name} export-memory-{format}: peak working set {s:F0} MB at {smallSize:N0} contacts, {l:F0} MB at " +
                    $"{largeSize:N0} ({l - s:+0;-0} MB; target at most +{GrowthLimitMb:F0}); over the idle process {atSmall.GrowthMb:F0} → " +
                    $"{atLarge.GrowthMb:F0} MB; live after a full GC at the export's end {atSmall.LiveMb:F1} → " +
                    $"{atLarge.LiveMb:F1} MB (a leak grows this); GC heap size sampled (dead gen0/gen1 objects included) at most {atSmall.HeapMb:F0} → {atLarge.HeapMb:F0} MB, " +
                    $"the GC's committed memory at most {atSmall.CommittedMb:F0} → {atLarge.CommittedMb:F0} MB (gen0's budget, which a small export may never fill); " +
                    $"{atSmall.AllocatedMb:F0} → {atLarge.AllocatedMb:F0} MB allocated, " +
                    $"{(atLarge.AllocatedMb - atSmall.AllocatedMb) * Mb / (largeSize - smallSize):F0} bytes a contact (deterministic, unlike the peak); " +
                    $"the large export took {atLarge.Seconds:F0} s"));
            return new Figure("export-memory-" + format, engine.Name, AsMeasured(s), AsMeasured(l), s / (s + GrowthLimitMb),
                (long)(Math.Max(s, l) * Mb));
        }));
    }

    private static Measured AsMeasured(double mb) => new(mb, double.NaN, double.NaN, 0, null);

    private sealed record ChildResult(double PeakMb, double GrowthMb, double HeapMb, double AllocatedMb, double Seconds, double LiveMb, double CommittedMb);

    /// <summary>One export in a child process; its report is one line on its stdout.</summary>
    private static async Task<ChildResult> ChildExportAsync(BenchEngine engine, Guid client, string format, int size, CancellationToken ct)
    {
        var bench = typeof(ExportMemoryFigures).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [bench, ChildArgument, format, client.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in engine.ServerEnvironment) start.Environment[key] = value;
        // the server's own GC settings (its runtimeconfig.json, built beside the bench), not the bench's
        var (server, concurrent) = ServerGc();
        start.Environment["DOTNET_gcServer"] = server ? "1" : "0";
        start.Environment["DOTNET_gcConcurrent"] = concurrent ? "1" : "0";
        using var child = Process.Start(start) ?? throw new InvalidOperationException("the export-memory child did not start");
        var output = child.StandardOutput.ReadToEndAsync(ct);
        var error = child.StandardError.ReadToEndAsync(ct);
        try
        {
            await child.WaitForExitAsync(ct);
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
        var line = (await output).Split('\n').LastOrDefault(l => l.StartsWith("export-memory ", StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"the export-memory child exited with {child.ExitCode}: {(await error).Trim()}");
        var v = line.Split(' ')[1..].Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var result = new ChildResult(v[0] / Mb, (v[0] - v[1]) / Mb, v[2] / Mb, v[3] / Mb, v[4], v[5] / Mb, v[6] / Mb);
        Log.Progress(string.Create(CultureInfo.InvariantCulture,
            $"{engine.Name} export-memory-{format} of {size:N0} contacts: peak {result.PeakMb:F0} MB (+{result.GrowthMb:F0} over idle) in {result.Seconds:F1} s"));
        return result;
    }

    /// <summary>The server's GC mode as its runtimeconfig.json sets it (the runtime's defaults where it says nothing).</summary>
    private static (bool Server, bool Concurrent) ServerGc()
    {
        var config = Path.ChangeExtension(Soak.BuiltServer(), ".runtimeconfig.json");
        var properties = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config)).RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        bool Flag(string name, bool otherwise) => properties.TryGetProperty(name, out var value) ? value.GetBoolean() : otherwise;
        return (Flag("System.GC.Server", false), Flag("System.GC.Concurrent", true));
    }

    /// <summary>
    /// The child: Steward on the deployment the environment names (as the server process reads it), one export of the
    /// client, then "export-memory PEAK IDLE HEAP ALLOCATED SECONDS LIVE" on stdout: the peak working set, the working
    /// set before the export, the largest GC heap size sampled during it (GCMemoryInfo.HeapSizeBytes: the heap at the
    /// last GC with the dead objects gen0 and gen1 GCs left in gen1, not what is live), the bytes allocated, the
    /// export's seconds, the bytes live after a blocking full GC once the export is written (what a leak would grow),
    /// and the most the GC had committed (its gen0 allocation budget included: the small export allocates less than
    /// one budget, the large one commits it whole).
    /// </summary>
    public static async Task<int> ChildAsync(string format, Guid client, CancellationToken ct)
    {
        await using var services = BenchEngine.BuildServices(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        await services.InitializeStewardAsync(ct);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long idle;
        using (var self = Process.GetCurrentProcess()) idle = self.WorkingSet64;
        Harness.ResetPeakWorkingSet();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        using var done = new CancellationTokenSource();
        var heap = Task.Run(async () =>
        {
            (long Heap, long Committed) most = (0, 0);
            while (!done.IsCancellationRequested)
            {
                var info = GC.GetGCMemoryInfo();
                most = (Math.Max(most.Heap, info.HeapSizeBytes), Math.Max(most.Committed, info.TotalCommittedBytes));
                await Task.Delay(100, CancellationToken.None);
            }
            return most;
        }, CancellationToken.None);
        long peak = 0, live = 0;
        var seconds = 0.0;
        await ExportFigures.ExportAsync(services, client, format, ct, () =>
        {
            seconds = clock.Elapsed.TotalSeconds;
            peak = Harness.PeakWorkingSet();
            // what stays reachable once the export is written, its scope still open: a blocking compacting full GC
            // leaves only live objects, so a per-contact leak (a DbContext's tracked rows, a query cache entry a page)
            // would show here and grow with the client, where the sampled heap size also counts gen0's budget
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            live = GC.GetGCMemoryInfo(GCKind.FullBlocking).PromotedBytes;
        });
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        await done.CancelAsync();
        var heapMost = await heap;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"export-memory {peak} {idle} {heapMost.Heap} {allocated} {seconds:F3} {live} {heapMost.Committed}"));
        return 0;
    }
}
