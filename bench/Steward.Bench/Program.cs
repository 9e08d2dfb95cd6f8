using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Steward.Bench;

// Steward's hot paths against the raw limits measured in the same run (docs: PERFORMANCE.md).
// dotnet run -c Release --project bench/Steward.Bench -- [--quick] [--only FIGURE,…] [--engine sqlite|postgres]
// [--import-size ROWS] (the import figure's file size, to measure how its gap grows with size)
// (--only and --engine narrow a run while profiling one path; a report for the record runs everything)
// figures: lookup-email, lookup-http (the API's search by email to the real server process at 16 concurrent; its
// p50/p99 in a note), contact-create, price-of-privacy (CreateFigures), export-json, export-csv (contacts/s, peak
// working set of the figure; a client of 1 k --quick, 20 k full), export-memory (below), import (contacts/s, files of
// 1 k --quick, 10 k full), audit-verify (events/s), purge (contacts/s, a cancelled client of 2 k --quick, 1 M full),
// erase and erase-growth (rate at the large size over the small: 2 k and 20 k contacts --quick, 10 k and 1 M full),
// widget-http (submissions/s to the real server process over loopback at 64 concurrent; its p99 in a note). Each
// against the raw ADO.NET limit of the same work, same run.
// export-memory (--only export-memory) prints export-memory-json and export-memory-csv: the peak working set in MB of one
// whole return export, each in a fresh child process with the server's GC, of a client of 1 k / 10 k contacts (--quick)
// or 10 k / 1 M (full; the large client is lookup-email's population, seeded once). PERFORMANCE.md wants it flat, at most
// +50 MB: its RATIO line reads "<MB at the small size> <MB at the large size> <small / large>", higher is better (1.0 is
// flat) and its target, the floor, is small / (small + 50), which the ratio meets exactly when the growth is at most
// 50 MB; a note gives both peaks, the growth, the managed heap and the bytes allocated.
// --quick runs in CI (.ci/run): figures printed, not asserted, the whole run within four minutes. The full run (1 M
// contacts) takes ~35–45 min for both engines on a quiet machine, more under load (docs/operations.md has the budget).
// dotnet run -c Release --project bench/Steward.Bench -- --soak [minutes] [--rate OPS] [--engine sqlite|postgres]: sustained
// mixed load against the real server process (Soak.cs), a line a minute; one engine per run, SQLite unless told
// export-memory's child process (ExportMemoryFigures): one export, its peak memory on stdout
if (args is [ExportMemoryFigures.ChildArgument, var childFormat, var childClient])
    return await ExportMemoryFigures.ChildAsync(childFormat, Guid.Parse(childClient), CancellationToken.None);
if (Array.IndexOf(args, "--soak") is var soakAt and >= 0)
{
    var minutes = soakAt + 1 < args.Length && int.TryParse(args[soakAt + 1], CultureInfo.InvariantCulture, out var m) ? m : 10;
    var rate = Option("--rate") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : Soak.DefaultRate;
    var soakEngine = Option("--engine") ?? "sqlite";
    if (minutes < 1 || rate < 1 || soakEngine is not ("sqlite" or "postgres"))
    {
        Console.Error.WriteLine("usage: Steward.Bench --soak [minutes] [--rate OPS] [--engine sqlite|postgres]");
        return 2;
    }
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return await Soak.RunAsync(TimeSpan.FromMinutes(minutes), rate, soakEngine, stop.Token);
}
var only = Option("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
var engineOnly = Option("--engine");
if (args.Any(a => a.StartsWith("--", StringComparison.Ordinal) && a is not ("--quick" or "--only" or "--engine" or "--import-size"))
    || engineOnly is not (null or "sqlite" or "postgres"))
{
    Console.Error.WriteLine("usage: Steward.Bench [--quick] [--only FIGURE,…] [--engine sqlite|postgres] [--import-size ROWS]");
    return 2;
}
var settings = Settings.For(quick: args.Contains("--quick")) with
{
    Only = only,
    ImportSize = Option("--import-size") is { } importSize ? int.Parse(importSize, CultureInfo.InvariantCulture) : null,
};
using var cancel = new CancellationTokenSource();
// Ctrl+C or SIGTERM stop cleanly, so that the throwaway PostgreSQL and the temp directories go too
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
var ct = cancel.Token;
var total = Stopwatch.StartNew();
var figures = new List<Figure>();
var notes = new List<string>();
Log.Progress($"{(settings.Quick ? "quick" : "full")} run: {settings.Runs} runs of {settings.Duration.TotalSeconds:F0} s per figure, " +
    $"{settings.WriteConcurrency} concurrent writers, {settings.ReadConcurrency} concurrent readers, {settings.LookupContacts:N0} contacts to look up");

// widget-http drives the real server process, built with the bench (its project reference) in the same configuration
var serverDll = settings.Includes("widget-http") || settings.Includes("lookup-http") ? Soak.BuiltServer() : null;
try
{
    if (engineOnly is null or "sqlite") figures.AddRange(await RunEngineAsync(EngineKind.Sqlite, null));

    var (server, problem) = engineOnly is null or "postgres" ? await PostgresServer.TryStartAsync(ct) : (null, "not asked for");
    if (server is null)
    {
        Console.WriteLine($"PostgreSQL could not be started ({problem}): its figures are skipped, SQLite only.");
    }
    else
    {
        await using (server)
        {
            Log.Progress($"postgres: {server.Description}");
            figures.AddRange(await RunEngineAsync(EngineKind.Postgres, server));
        }
    }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted: nothing is reported");
    return 130;
}

Report.Print(figures, notes, settings, total.Elapsed);
return 0;

async Task<List<Figure>> RunEngineAsync(EngineKind kind, PostgresServer? postgres)
{
    await using var engine = await BenchEngine.StartAsync(kind, postgres, ct);
    // lookups first, so that the table holds exactly the N contacts they are measured against; export-memory's large
    // export is of the same population, seeded once
    var result = new List<Figure>();
    var erase = settings.Includes("erase") || settings.Includes("erase-growth");
    var population = settings.Includes("lookup-email") || settings.Includes("export-memory") || erase
        ? await SeedPopulationAsync(engine)
        : Guid.Empty;
    if (settings.Includes("lookup-email")) result.Add(await Timed("lookup-email", () => LookupFigures.RunAsync(engine, population, settings, ct)));
    if (settings.Includes("export-memory"))
        result.AddRange(await Timed("export-memory", () => ExportMemoryFigures.RunAsync(engine, population, settings, notes, ct)));
    if (erase)
    {
        // the small size on a deployment of its own; the large one on this deployment, which the population already
        // fills to 1 M contacts (before the figures below add theirs): the 1 M are seeded once for both
        await using var eraseEngine = await BenchEngine.StartAsync(kind, postgres, ct);
        result.AddRange(await Timed("erase", () => EraseFigures.RunAsync(eraseEngine, settings, notes, ct, grown: engine)));
    }
    // after erase-growth, which needs this deployment at exactly the population's size: the server process searches a client
    // of its own, seeded as large
    if (settings.Includes("lookup-http"))
        result.Add(await Timed("lookup-http", () => LookupHttpFigures.RunAsync(engine, serverDll!, settings, notes, ct)));
    if (settings.Includes("contact-create") || settings.Includes("price-of-privacy"))
        result.AddRange(await Timed("contact-create", () => CreateFigures.RunAsync(engine, settings, notes, ct)));
    if (settings.Includes("export-json") || settings.Includes("export-csv"))
        result.AddRange(await Timed("export", () => ExportFigures.RunAsync(engine, settings, ct)));
    if (settings.Includes("import")) result.Add(await Timed("import", () => ImportFigures.RunAsync(engine, settings, ct)));
    // after the writes, so that the chain also holds their events (all verified: the check that the raw side chained right)
    if (settings.Includes("audit-verify")) result.Add(await Timed("audit-verify", () => AuditFigures.RunAsync(engine, settings, ct)));
    // last on this deployment: the full run's purge destroys the 1 M population as Steward's client of its one round
    // (seeded as its own would be), so it seeds only the raw side's
    if (settings.Includes("purge"))
        result.Add(await Timed("purge", () => PurgeFigures.RunAsync(engine, settings, ct,
            population != Guid.Empty && settings.PurgeContacts == settings.LookupContacts ? population : null)));
    if (settings.Includes("widget-http"))
    {
        // a deployment of its own, shared by the server process and the raw limit
        await using var widgetEngine = await BenchEngine.StartAsync(kind, postgres, ct);
        result.Add(await Timed("widget-http", () => WidgetFigures.RunAsync(widgetEngine, serverDll!, settings, notes, ct)));
    }
    return result;
}

async Task<Guid> SeedPopulationAsync(BenchEngine engine)
{
    var client = await engine.AddClientAsync("Bench lookups", ct);
    var clock = Stopwatch.StartNew();
    await LookupFigures.SeedAsync(engine, client, settings.LookupContacts, ct);
    Log.Progress($"{engine.Name}: seeded {settings.LookupContacts:N0} contacts in {clock.Elapsed.TotalSeconds:F1} s");
    return client;
}

// a line per figure with its wall time: the full run's budget is read from these (docs/operations.md)
async Task<T> Timed<T>(string figure, Func<Task<T>> run)
{
    var clock = Stopwatch.StartNew();
    var value = await run();
    Log.Progress($"{figure} done in {clock.Elapsed.TotalSeconds:F0} s (run so far {total.Elapsed.TotalMinutes:F1} min)");
    return value;
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>The RATIO lines for tools, then a table for people.</summary>
internal static class Report
{
    public static void Print(List<Figure> figures, List<string> notes, Settings settings, TimeSpan elapsed)
    {
        foreach (var f in figures)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RATIO {f.Name} {f.Engine} {f.Steward.PerSecond:F0} {f.Limit.PerSecond:F0} {f.Ratio:F2} target {f.Target:0.0#}"));

        Console.WriteLine();
        Console.WriteLine($"Steward benchmark ({(settings.Quick ? "--quick" : "full")}): medians of {settings.Runs} runs of " +
            $"{settings.Duration.TotalSeconds:F0} s; creates from {settings.WriteConcurrency} concurrent callers, lookups from " +
            $"{settings.ReadConcurrency} among {settings.LookupContacts:N0} contacts; throughput in ops/s, latency p50/p99 in ms.");
        Console.WriteLine("limit: raw ADO.NET, same engine, schema, indexes and crypto; except price-of-privacy = plain EF Core " +
            "insert in clear, and erase-growth = Steward's erase at the large size against the small.");
        string[] header = ["figure", "engine", "steward", "limit", "ratio", "target", "result", "steward p50/p99",
            "limit p50/p99", "errors s/l", "peak WS MB"];
        var rows = figures.Select(f => new[]
        {
            f.Name, f.Engine, $"{f.Steward.PerSecond:N0}", $"{f.Limit.PerSecond:N0}", $"{f.Ratio:F2}", $"{f.Target:0.0#}",
            f.Pass ? "pass" : "FAIL", Latency(f.Steward), Latency(f.Limit), $"{f.Steward.Errors}/{f.Limit.Errors}",
            $"{f.PeakWorkingSet / (1024.0 * 1024):F0}",
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(Line(header, widths));
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows) Console.WriteLine(Line(row, widths));

        // contact-create and price-of-privacy share Steward's runs: name their errors once
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var f in figures)
        {
            if (seen.Add(f.Steward) && f.Steward.FirstError is { } s) notes.Add($"{f.Engine} {f.Name}: Steward's first error: {s}");
            if (f.Limit.FirstError is { } l) notes.Add($"{f.Engine} {f.Name}: the limit's first error: {l}");
        }
        if (notes.Count > 0)
        {
            Console.WriteLine();
            foreach (var note in notes.Distinct()) Console.WriteLine("note: " + note);
        }
        Console.WriteLine();
        Console.WriteLine($"total time {elapsed.TotalSeconds:F0} s; peak working set is the process's so far when the figure ended.");
    }

    private static string Latency(Measured m) => $"{m.P50Ms:F2}/{m.P99Ms:F2}";

    // numbers right-aligned, words left-aligned
    private static string Line(string[] cells, int[] widths) => string.Join("  ", cells.Select((c, i) =>
        i < 2 || c is "pass" or "FAIL" ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
}
