using System.Data.Common;
using System.Diagnostics;
using System.Globalization;

namespace Steward.Bench;

/// <summary>How long and how often: --quick fits the five-minute budget, the full run gives steadier medians.</summary>
internal sealed record Settings(bool Quick, int Runs, TimeSpan Warmup, TimeSpan Duration, int LookupContacts,
    int WriteConcurrency, int ReadConcurrency)
{
    /// <summary>The figures asked for with --only; null for all.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    public bool Includes(string figure) => Only is null || Only.Contains(figure);

    /// <summary>
    /// For the figures whose one op is long (a whole export, a whole chain, a file import, erasures that use up seeded
    /// rows): with --quick, shorter warm-ups and runs keep the whole quick run within the four minutes CI gives it; in
    /// the full run, three runs of 5 s after 2 s of warm-up (a run holds at least one whole op, the warm-up at least
    /// one too: enough for tiered JIT on ops of seconds), so that the full run fits its budget (docs/operations.md).
    /// </summary>
    public Settings Brief => Quick
        ? this with { Warmup = TimeSpan.FromSeconds(0.5), Duration = TimeSpan.FromSeconds(1) }
        : this with { Runs = 3, Warmup = TimeSpan.FromSeconds(2), Duration = TimeSpan.FromSeconds(5) };

    /// <summary>
    /// Events in the chain audit-verify reads whole per op: at 1 M one verification took ~50 s a side on a loaded
    /// machine (12 of them, 10 min an engine); the rate per event does not depend on the chain's length (one ordered scan).
    /// </summary>
    public int AuditEvents => Quick ? 20_000 : 100_000;

    /// <summary>Contacts in the client export-json and export-csv return, one export per op (the throughput figures).</summary>
    public int ExportContacts => Quick ? 1_000 : 20_000;

    /// <summary>The table sizes erasure's growth compares (PERFORMANCE.md: 10 k and 1 M).</summary>
    public (int Small, int Large) EraseSizes => Quick ? (2_000, 20_000) : (10_000, 1_000_000);

    /// <summary>export-memory's sizes (PERFORMANCE.md: 10 k and 1 M); the large one is the lookups' population.</summary>
    public (int Small, int Large) ExportMemorySizes => Quick ? (1_000, LookupContacts) : (10_000, LookupContacts);

    /// <summary>The cancelled client's size a purge destroys (PERFORMANCE.md: 1 M; --quick keeps it small, Steward purges ~500 contacts/s on SQLite).</summary>
    public int PurgeContacts => Quick ? 2_000 : 1_000_000;

    /// <summary>
    /// Purge rounds: each seeds two clients of <see cref="PurgeContacts"/>, so the full run does one (seeding 2 M
    /// contacts took ~10 min of the SQLite run on a loaded machine, each round's purges ~2 min more); --quick three.
    /// </summary>
    public int PurgeRuns => Quick ? 3 : 1;

    /// <summary>Concurrent callers of widget-http, each side (PERFORMANCE.md: 64).</summary>
    public const int WidgetConcurrency = 64;

    /// <summary>Contacts in one imported file (one op of the import figure); --import-size overrides it for measuring.</summary>
    public int ImportRows => ImportSize ?? (Quick ? 1_000 : 10_000);

    public int? ImportSize { get; init; }

    /// <summary>How many contacts each concurrent caller erases in one run: a run ends when they are all gone.</summary>
    public int ErasePerWorker => Quick ? 25 : 100;

    // the full run's warm-up is long enough for tiered JIT to finish on 2 cores: shorter, the first run was the slowest
    // for every variant, as background compilation took a core from whichever ran next. --quick (CI's four minutes)
    // takes shorter ones and runs: its figures are indicative, the full run's are the record
    public static Settings For(bool quick) => quick
        ? new(true, 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 10_000, 8, 4)
        : new(false, 5, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(8), 1_000_000, 8, 4);
}

/// <summary>One concurrent caller with its own connections or scopes, opened before the clock starts.</summary>
internal interface IWorker : IAsyncDisposable
{
    Task RunOnceAsync(CancellationToken ct);
}

/// <summary>A caller that needs nothing of its own: each op is one call (a Steward use case in its own scope).</summary>
internal sealed class CallWorker(Func<CancellationToken, Task> call) : IWorker
{
    public Task RunOnceAsync(CancellationToken ct) => call(ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A raw-limit caller: its own data and key connections and the statements prepared on them, closed together.</summary>
internal abstract class RawWorker(DbConnection data, DbConnection keys) : IWorker
{
    private readonly List<DbCommand> _commands = [];

    protected DbConnection Data => data;

    protected DbConnection Keys => keys;

    protected DbCommand OnData(string sql, params string[] parameters) => Add(RawStore.Command(data, sql, parameters));

    protected DbCommand OnKeys(string sql, params string[] parameters) => Add(RawStore.Command(keys, sql, parameters));

    private DbCommand Add(DbCommand command)
    {
        _commands.Add(command);
        return command;
    }

    public abstract Task RunOnceAsync(CancellationToken ct);

    private DbCommand? _lockHead;

    /// <summary>
    /// The audit work Steward does with every write, in one transaction on the data store: the chain head locked,
    /// the API-key event hashed after it by AuditChain's rule, and <paramref name="write"/> run with the parameters
    /// <paramref name="set"/> gives it from the event's seq, time (as stored), previous hash and hash.
    /// </summary>
    protected async Task WriteChainedAsync(RawStore store, DbCommand write, DateTimeOffset now,
        (string Actor, Guid Client, string Action, string Resource, int Status) e, Action<long, object, byte[], byte[]> set,
        CancellationToken ct)
    {
        _lockHead ??= OnData("""SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1""" + (store.IsSqlite ? "" : " FOR UPDATE"));
        await store.EnterWriteAsync(ct);
        try
        {
            await using var tx = await data.BeginTransactionAsync(ct);
            _lockHead.Transaction = write.Transaction = tx;
            long seq;
            byte[] previous;
            await using (var head = await _lockHead.ExecuteReaderAsync(ct))
            {
                if (!await head.ReadAsync(ct)) throw new InvalidOperationException("No audit chain head.");
                seq = head.GetInt64(0) + 1;
                previous = (byte[])head.GetValue(1);
            }
            // the event's fields in AuditChain's order; whole milliseconds, as Steward stores them
            var at = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
            var hash = RawCrypto.ChainHash(previous, seq, string.Join('\u001f', seq, at.ToUnixTimeMilliseconds(),
                "api-key", e.Actor, e.Client, e.Action, "contact", e.Resource, "success", e.Status, "", ""));
            set(seq, store.Time(at), previous, hash);
            await write.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            store.ExitWrite();
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var command in _commands) await command.DisposeAsync();
        await data.DisposeAsync();
        await keys.DisposeAsync();
    }
}

/// <summary>One side of a comparison: Steward, the raw limit, or the plain insert.</summary>
internal sealed record Variant(string Name, Func<CancellationToken, Task<IWorker>> OpenWorkerAsync);

internal sealed record RunResult(long Ops, long Errors, double Seconds, double P50Ms, double P99Ms, string? FirstError)
{
    public double PerSecond => Ops / Seconds;
}

/// <summary>A variant's medians over its runs; errors are summed (an op that failed is not counted as done).</summary>
internal sealed record Measured(double PerSecond, double P50Ms, double P99Ms, long Errors, string? FirstError);

/// <summary>One figure on one engine: Steward's throughput against the limit measured in the same run.</summary>
internal sealed record Figure(string Name, string Engine, Measured Steward, Measured Limit, double Target, long PeakWorkingSet)
{
    public double Ratio => Steward.PerSecond / Limit.PerSecond;
    public bool Pass => Ratio >= Target;
}

internal static class Harness
{
    /// <summary>
    /// Runs the variants interleaved (A B C, A B C, …) so that drift on a shared machine hits all of them alike,
    /// after one short warm-up each (JIT, pools, caches).
    /// </summary>
    public static async Task<Measured[]> CompareAsync(string label, IReadOnlyList<Variant> variants, int concurrency,
        Settings settings, CancellationToken ct)
    {
        foreach (var variant in variants) await RunAsync(variant, concurrency, settings.Warmup, ct);
        var runs = variants.Select(_ => new List<RunResult>()).ToArray();
        for (var r = 0; r < settings.Runs; r++)
        {
            var line = new List<string>();
            for (var i = 0; i < variants.Count; i++)
            {
                var result = await RunAsync(variants[i], concurrency, settings.Duration, ct);
                runs[i].Add(result);
                line.Add($"{variants[i].Name} {result.PerSecond.ToString(result.PerSecond < 10 ? "F2" : "F0", CultureInfo.InvariantCulture)}/s" + (result.Errors > 0 ? $" ({result.Errors} errors)" : ""));
            }
            Log.Progress($"{label} run {r + 1}/{settings.Runs}: {string.Join(", ", line)}");
        }
        return [.. runs.Select(Summarize)];
    }

    public static async Task<RunResult> RunAsync(Variant variant, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var workers = new IWorker[concurrency];
        try
        {
            for (var i = 0; i < concurrency; i++) workers[i] = await variant.OpenWorkerAsync(ct);
            var tally = new Tally();
            var latencies = new List<double>[concurrency];
            var clock = Stopwatch.StartNew();
            var tasks = new Task[concurrency];
            for (var i = 0; i < concurrency; i++)
            {
                var worker = workers[i];
                var mine = latencies[i] = new List<double>(4096);
                tasks[i] = Task.Run(() => LoopAsync(worker, mine, tally, clock, duration, ct), ct);
            }
            await Task.WhenAll(tasks);
            var seconds = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            return new RunResult(all.Length, tally.Errors, seconds, Percentile(all, 0.50), Percentile(all, 0.99), tally.FirstError);
        }
        finally
        {
            foreach (var worker in workers)
                if (worker is not null) await worker.DisposeAsync();
        }
    }

    private static async Task LoopAsync(IWorker worker, List<double> latencies, Tally tally, Stopwatch clock,
        TimeSpan duration, CancellationToken ct)
    {
        while (clock.Elapsed < duration)
        {
            ct.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            try
            {
                await worker.RunOnceAsync(ct);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (NoMoreWork)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // counted, not fatal: a failing variant shows up in the errors column instead of ending the run
                tally.Add(e);
            }
        }
    }

    private static Measured Summarize(List<RunResult> runs) => new(
        Median(runs.Select(r => r.PerSecond)), Median(runs.Select(r => r.P50Ms)), Median(runs.Select(r => r.P99Ms)),
        runs.Sum(r => r.Errors), runs.Select(r => r.FirstError).FirstOrDefault(e => e is not null));

    /// <summary>The process's peak working set so far (it only grows: a figure's value includes earlier figures).</summary>
    public static long PeakWorkingSet()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>Starts the high-water mark again, so a figure's peak is its own (Linux; elsewhere it keeps growing).</summary>
    public static void ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Progress($"peak working set not reset: {e.Message}");
        }
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed class Tally
    {
        private long _errors;
        private string? _firstError;

        public long Errors => Interlocked.Read(ref _errors);
        public string? FirstError => Volatile.Read(ref _firstError);

        public void Add(Exception e)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, $"{e.GetType().Name}: {e.Message}", null);
        }
    }
}

/// <summary>A worker with a fixed share of work (rows it consumes, as an erasure does) has done it all: it stops early.</summary>
internal sealed class NoMoreWork : Exception;

/// <summary>Progress goes to stderr, so stdout holds only the RATIO lines and the table.</summary>
internal static class Log
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Progress(string message) => Console.Error.WriteLine($"[{Clock.Elapsed:mm\\:ss}] {message}");
}
