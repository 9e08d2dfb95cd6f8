using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Steward.Bench;

// Steward's hot paths against the raw limits measured in the same run (docs: PERFORMANCE.md).
// dotnet run -c Release --project bench/Steward.Bench -- [--quick] [--only FIGURE,…] [--engine sqlite|postgres]
// (--only and --engine narrow a run while profiling one path; a report for the record runs everything)
// figures: lookup-email, lookup-http (the API's search by email to the real server process at 16 concurrent; its
// p50/p99 in a note), contact-create, price-of-privacy (CreateFigures), export-json, export-csv (contacts/s, peak
// working set of the figure), import (contacts/s, files of 1 k --quick, 10 k full), audit-verify (events/s), purge
// (contacts/s, a cancelled client of 2 k --quick, 1 M full), erase and erase-growth (rate at the large size over the
// small: 2 k and 20 k contacts --quick, 10 k and 1 M full), widget-http (submissions/s to the real server process over
// loopback at 64 concurrent; its p99 in a note). Each against the raw ADO.NET limit of the same work, same run.
// --quick runs in CI (.ci/run): figures printed, not asserted, the whole run within four minutes.
// dotnet run -c Release --project bench/Steward.Bench -- --soak [minutes] [--rate OPS] [--engine sqlite|postgres]: sustained
// mixed load against the real server process (Soak.cs), a line a minute; one engine per run, SQLite unless told
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
if (args.Any(a => a.StartsWith("--", StringComparison.Ordinal) && a is not ("--quick" or "--only" or "--engine"))
    || engineOnly is not (null or "sqlite" or "postgres"))
{
    Console.Error.WriteLine("usage: Steward.Bench [--quick] [--only FIGURE,…] [--engine sqlite|postgres]");
    return 2;
}
var settings = Settings.For(quick: args.Contains("--quick")) with { Only = only };
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
    // lookups first, so that the table holds exactly the N contacts they are measured against
    var result = new List<Figure>();
    if (settings.Includes("lookup-email")) result.Add(await LookupFigures.RunAsync(engine, settings, ct));
    // on the same deployment, after lookup-email: the server process searches a client of its own, seeded as large
    if (settings.Includes("lookup-http")) result.Add(await LookupHttpFigures.RunAsync(engine, serverDll!, settings, notes, ct));
    if (settings.Includes("contact-create") || settings.Includes("price-of-privacy"))
        result.AddRange(await CreateFigures.RunAsync(engine, settings, notes, ct));
    if (settings.Includes("export-json") || settings.Includes("export-csv"))
        result.AddRange(await ExportFigures.RunAsync(engine, settings, ct));
    if (settings.Includes("import")) result.Add(await ImportFigures.RunAsync(engine, settings, ct));
    // after the writes, so that the chain also holds their events (all verified: the check that the raw side chained right)
    if (settings.Includes("audit-verify")) result.Add(await AuditFigures.RunAsync(engine, settings, ct));
    if (settings.Includes("purge")) result.Add(await PurgeFigures.RunAsync(engine, settings, ct));
    if (settings.Includes("erase") || settings.Includes("erase-growth"))
    {
        // a deployment of its own: erasure's growth needs the table at exactly its two sizes
        await using var eraseEngine = await BenchEngine.StartAsync(kind, postgres, ct);
        result.AddRange(await EraseFigures.RunAsync(eraseEngine, settings, notes, ct));
    }
    if (settings.Includes("widget-http"))
    {
        // a deployment of its own, shared by the server process and the raw limit
        await using var widgetEngine = await BenchEngine.StartAsync(kind, postgres, ct);
        result.Add(await WidgetFigures.RunAsync(widgetEngine, serverDll!, settings, notes, ct));
    }
    return result;
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
