using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Clients;
using Steward.Data;
using Steward.Retention;

namespace Steward.Bench;

/// <summary>
/// purge: a cancelled client with N contacts destroyed whole, one purge at a time. Steward through PurgeClient (what
/// the retention job runs once the grace window has ended); the raw limit does the same work by plain ADO.NET: the
/// forget ledger (every contact and the client, one durable transaction), every key of the client deleted, then its
/// rows deleted and the client marked purged with its audit event chained, in one transaction. Each purge consumes
/// a client seeded for it, so runs are rounds (Steward then raw, fresh clients each) rather than timed loops.
/// Throughput is in contacts purged per second; p50/p99 are of one whole purge.
/// </summary>
internal static class PurgeFigures
{
    private const string DeleteRowsAndRecord = """
        DELETE FROM "ConsentEvents" WHERE "ClientId" = @client;
        DELETE FROM "RestrictedReads" WHERE "ClientId" = @client;
        DELETE FROM "ContactRestrictions" WHERE "ClientId" = @client;
        DELETE FROM "RequestExports" WHERE "ClientId" = @client;
        DELETE FROM "Contacts" WHERE "ClientId" = @client;
        UPDATE "Clients" SET "Status" = 'purged', "PurgedAt" = @at WHERE "Id" = @client;
        INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
            "Outcome", "Status", "PrevHash", "Hash")
            VALUES (@seq, @at, 'api-key', @actor, @client, 'PurgeClient', 'contact', @resource, 'success', 200, @prev, @hash);
        UPDATE "AuditChainHeads" SET "Seq" = @seq, "Hash" = @hash WHERE "Id" = 1
        """;

    /// <param name="seeded">A client of <see cref="Settings.PurgeContacts"/> contacts seeded already (the run's lookup
    /// population, used by nothing after): the first round's Steward side purges it instead of seeding another.</param>
    public static async Task<Figure> RunAsync(BenchEngine engine, Settings settings, CancellationToken ct, Guid? seeded = null)
    {
        await engine.Data.EnsureChainHeadAsync(ct);
        await using var ledger = new RawStore(engine.Kind,
            engine.Services.GetRequiredService<IOptions<StorageOptions>>().Value.LedgerConnection);
        var size = settings.PurgeContacts;
        var steward = new List<(double Seconds, string? Error)>();
        var raw = new List<(double Seconds, string? Error)>();
        // one small round first (JIT, pools, caches), not counted
        await RoundAsync(engine, ledger, 1_000, ct);
        for (var r = 0; r < settings.PurgeRuns; r++)
        {
            var (s, w) = await RoundAsync(engine, ledger, size, ct, r == 0 ? seeded : null);
            steward.Add(s);
            raw.Add(w);
            Log.Progress($"{engine.Name} purge run {r + 1}/{settings.PurgeRuns} of {size:N0} contacts: steward {Rate(s, size)}, raw {Rate(w, size)}");
        }
        return new Figure("purge", engine.Name, Summarize(steward, size), Summarize(raw, size), 0.5, Harness.PeakWorkingSet());
    }

    private static string Rate((double Seconds, string? Error) run, int size) =>
        run.Error is null ? $"{size / run.Seconds:F0}/s ({run.Seconds:F2} s)" : "failed";

    private static Measured Summarize(List<(double Seconds, string? Error)> runs, int size)
    {
        var done = runs.Where(r => r.Error is null).Select(r => r.Seconds).Order().ToArray();
        return new Measured(Harness.Median(done.Select(s => size / s)), Harness.Median(done) * 1000,
            done.Length == 0 ? double.NaN : done[^1] * 1000, runs.Count(r => r.Error is not null),
            runs.Select(r => r.Error).FirstOrDefault(e => e is not null));
    }

    /// <summary>Two cancelled clients of <paramref name="size"/> contacts seeded, one purged by Steward, the other raw.</summary>
    private static async Task<((double, string?) Steward, (double, string?) Raw)> RoundAsync(BenchEngine engine, RawStore ledger,
        int size, CancellationToken ct, Guid? seeded = null)
    {
        var stewardClient = await SeedCancelledAsync(engine, "Steward", size, ct, seeded);
        var rawClient = await SeedCancelledAsync(engine, "raw", size, ct);
        var steward = await TimeAsync(() => StewardPurgeAsync(engine, stewardClient, size, ct));
        var raw = await TimeAsync(() => RawPurgeAsync(engine, ledger, rawClient, size, ct));
        return (steward, raw);
    }

    private static async Task<(double, string?)> TimeAsync(Func<Task> purge)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await purge();
            return (clock.Elapsed.TotalSeconds, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (double.NaN, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static async Task<Guid> SeedCancelledAsync(BenchEngine engine, string side, int size, CancellationToken ct, Guid? seeded = null)
    {
        var client = seeded ?? await engine.AddClientAsync($"Bench {side} purge", ct);
        if (seeded is null) await LookupFigures.SeedAsync(engine, client, size, ct);
        await using var scope = engine.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StewardDb>();
        var now = DateTimeOffset.UtcNow;
        await db.Clients.Where(c => c.Id == client).ExecuteUpdateAsync(u => u
            .SetProperty(c => c.Status, ClientLifecycle.Cancelled).SetProperty(c => c.CancelledAt, now)
            .SetProperty(c => c.PurgeDueAt, now), ct);
        return client;
    }

    /// <summary>Steward: the retention job's step for one client, in its own scope.</summary>
    private static async Task StewardPurgeAsync(BenchEngine engine, Guid client, int size, CancellationToken ct)
    {
        await using var scope = engine.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<PurgeClient>().HandleAsync(client, ct);
        if (report.Contacts != size || report.KeysDestroyed != size)
            throw new InvalidOperationException($"PurgeClient purged {report.Contacts} contacts and {report.KeysDestroyed} keys, not {size}.");
    }

    /// <summary>The raw limit: the ledger, the keys, then the rows and the audit event, by plain ADO.NET.</summary>
    private static async Task RawPurgeAsync(BenchEngine engine, RawStore ledger, Guid client, int size, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        await using var worker = new RawPurge(engine, await engine.Data.OpenAsync(ct), await engine.Keys.OpenAsync(ct));
        // the contacts to put in the ledger, as Steward reads them
        var contacts = new List<Guid>(size);
        await using (var select = RawStore.Command(worker.DataConnection, """SELECT "Id" FROM "Contacts" WHERE "ClientId" = @c""", "@c"))
        {
            RawStore.Set(select, client);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) contacts.Add(reader.GetGuid(0));
        }

        await ledger.EnterWriteAsync(ct);
        try
        {
            // the ledger commits as Steward's does: FULL on SQLite, so a purge survives power loss
            await using var connection = await ledger.OpenAsync(ct, ledger.IsSqlite ? "PRAGMA synchronous=FULL;" : "");
            await using var tx = await connection.BeginTransactionAsync(ct);
            var erasedAt = now.ToUnixTimeMilliseconds();
            if (ledger.IsSqlite)
            {
                await using var append = RawStore.Command(connection,
                    "INSERT INTO forget_ledger (client_id, subject_id, kind, erased_at) VALUES (@c, @s, @k, @t)", "@c", "@s", "@k", "@t");
                append.Transaction = tx;
                foreach (var id in contacts)
                {
                    RawStore.Set(append, client, id, "contact", erasedAt);
                    await append.ExecuteNonQueryAsync(ct);
                }
            }
            else
            {
                // over the network the limit is a multi-row insert from arrays, not a round trip per row
                await using var append = RawStore.Command(connection,
                    "INSERT INTO forget_ledger (client_id, subject_id, kind, erased_at) SELECT @c, s, @k, @t FROM unnest(@s) AS s", "@c", "@s", "@k", "@t");
                append.Transaction = tx;
                foreach (var page in contacts.Chunk(10_000))
                {
                    RawStore.Set(append, client, page, "contact", erasedAt);
                    await append.ExecuteNonQueryAsync(ct);
                }
            }
            await using (var end = RawStore.Command(connection,
                "INSERT INTO forget_ledger (client_id, subject_id, kind, erased_at) VALUES (@c, @s, @k, @t)", "@c", "@s", "@k", "@t"))
            {
                end.Transaction = tx;
                RawStore.Set(end, client, client, "client", erasedAt);
                await end.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            ledger.ExitWrite();
        }
        await worker.PurgeAsync(client, now, size, ct);
    }

    private sealed class RawPurge(BenchEngine engine, DbConnection data, DbConnection keys) : RawWorker(data, keys)
    {
        private readonly string _actorId = Guid.CreateVersion7().ToString();

        public DbConnection DataConnection => Data;

        public override Task RunOnceAsync(CancellationToken ct) => throw new NotSupportedException();

        public async Task PurgeAsync(Guid client, DateTimeOffset now, int size, CancellationToken ct)
        {
            var shred = OnKeys("DELETE FROM subject_keys WHERE client_id = @c", "@c");
            await engine.Keys.EnterWriteAsync(ct);
            long destroyed;
            try
            {
                RawStore.Set(shred, client);
                destroyed = await shred.ExecuteNonQueryAsync(ct);
            }
            finally
            {
                engine.Keys.ExitWrite();
            }
            if (destroyed != size) throw new InvalidOperationException($"The raw purge destroyed {destroyed} keys, not {size}.");

            var write = OnData(DeleteRowsAndRecord, "@client", "@seq", "@at", "@actor", "@resource", "@prev", "@hash");
            var resource = client.ToString();
            await WriteChainedAsync(engine.Data, write, now, (_actorId, client, "PurgeClient", resource, 200),
                (seq, at, previous, hash) => RawStore.Set(write, client, seq, at, _actorId, resource, previous, hash), ct);
        }
    }
}
