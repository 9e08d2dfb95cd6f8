using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Contacts;
using Steward.Data;

namespace Steward.Bench;

/// <summary>
/// erase and erase-growth: one contact erased per call, from concurrent callers, each call consuming a contact
/// seeded for it. Measured with the contacts table at the small size and again at the large one (filler contacts
/// of another client make up the size): erase is Steward against the raw limit at the large size, erase-growth
/// Steward's rate at the large size over its rate at the small one (cost at small over cost at large).
/// </summary>
internal static class EraseFigures
{
    /// <param name="engine">A fresh deployment: the table is filled on it to the small size, then (without <paramref name="grown"/>) to the large.</param>
    /// <param name="grown">A deployment measured at the large size instead, filled up to it only if it holds fewer
    /// (the run's main one, whose lookups' population already makes it 1 M: seeded once for both).</param>
    public static async Task<Figure[]> RunAsync(BenchEngine engine, Settings settings, List<string> notes, CancellationToken ct,
        BenchEngine? grown = null)
    {
        var (small, large) = settings.EraseSizes;
        await using var ledger = new RawStore(engine.Kind,
            engine.Services.GetRequiredService<IOptions<StorageOptions>>().Value.LedgerConnection);
        var atSmall = await MeasureAtAsync(engine, ledger, small, settings, ct);
        grown ??= engine;
        await using var grownLedger = new RawStore(grown.Kind,
            grown.Services.GetRequiredService<IOptions<StorageOptions>>().Value.LedgerConnection);
        var atLarge = await MeasureAtAsync(grown, grownLedger, large, settings, ct);
        var peak = Harness.PeakWorkingSet();
        notes.Add($"{engine.Name} erase-growth: the raw limit's own growth is {atLarge[1].PerSecond / atSmall[1].PerSecond:F2} " +
            $"({small:N0} → {large:N0} contacts)");
        return
        [
            new("erase", engine.Name, atLarge[0], atLarge[1], 0.5, peak),
            new("erase-growth", engine.Name, atLarge[0], atSmall[0], 0.77, peak),
        ];
    }

    /// <summary>Fills the table up to <paramref name="size"/> contacts, both sides' included, then measures both.</summary>
    private static async Task<Measured[]> MeasureAtAsync(BenchEngine engine, RawStore ledger, int size, Settings settings,
        CancellationToken ct)
    {
        var perSide = (settings.Runs + 1) * settings.WriteConcurrency * settings.ErasePerWorker;
        var clock = Stopwatch.StartNew();
        var stewardIds = new List<Guid>(perSide);
        var rawIds = new List<Guid>(perSide);
        var stewardClient = await engine.AddClientAsync($"Bench Steward erasures at {size}", ct);
        var rawClient = await engine.AddClientAsync($"Bench raw erasures at {size}", ct);
        await LookupFigures.SeedAsync(engine, stewardClient, perSide, ct, stewardIds);
        await LookupFigures.SeedAsync(engine, rawClient, perSide, ct, rawIds);
        var filler = size - await CountContactsAsync(engine, ct);
        if (filler > 0) await LookupFigures.SeedAsync(engine, await engine.AddClientAsync($"Bench filler to {size}", ct), (int)filler, ct);
        Log.Progress($"{engine.Name}: erase at {size:N0} contacts ({await CountContactsAsync(engine, ct):N0} in the table), seeded in {clock.Elapsed.TotalSeconds:F1} s");

        var raw = new RawErase(engine, ledger, rawClient, rawIds, settings.ErasePerWorker);
        await engine.Data.EnsureChainHeadAsync(ct);
        return await Harness.CompareAsync($"{engine.Name} erase at {size:N0}",
            [new("steward", new StewardErase(engine.Services, stewardClient, stewardIds, settings.ErasePerWorker).OpenWorkerAsync),
                new("raw", raw.OpenWorkerAsync)],
            settings.WriteConcurrency, settings.Brief, ct);
    }

    private static async Task<long> CountContactsAsync(BenchEngine engine, CancellationToken ct)
    {
        await using var connection = await engine.Data.OpenAsync(ct);
        await using var count = RawStore.Command(connection, """SELECT COUNT(*) FROM "Contacts" """);
        return Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The ids a side may still erase; each worker takes its share when it opens, so a run erases a fixed count.</summary>
    private sealed class Pool(List<Guid> ids, int share)
    {
        private readonly ConcurrentQueue<Guid> _ids = new(ids);

        public Queue<Guid> Take()
        {
            var mine = new Queue<Guid>(share);
            while (mine.Count < share && _ids.TryDequeue(out var id)) mine.Enqueue(id);
            return mine;
        }
    }

    /// <summary>Steward through its use case, one DI scope per call as one request would have.</summary>
    private sealed class StewardErase(IServiceProvider services, Guid client, List<Guid> ids, int share)
    {
        private readonly Pool _pool = new(ids, share);
        private readonly string _apiKeyId = Guid.CreateVersion7().ToString();

        public Task<IWorker> OpenWorkerAsync(CancellationToken ct) => Task.FromResult<IWorker>(new Worker(this, _pool.Take()));

        private async Task EraseOneAsync(Guid contact, CancellationToken ct)
        {
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<StewardDb>().TenantId = client;
            var actor = scope.ServiceProvider.GetRequiredService<AuditContext>();
            actor.ActorType = "api-key";
            actor.ActorId = _apiKeyId;
            actor.ClientId = client;
            var result = await scope.ServiceProvider.GetRequiredService<EraseContact>().HandleAsync(client, contact, ct);
            if (!result.IsSuccess) throw new InvalidOperationException($"EraseContact: {result.Error!.Detail}");
        }

        private sealed class Worker(StewardErase owner, Queue<Guid> mine) : IWorker
        {
            public Task RunOnceAsync(CancellationToken ct) =>
                mine.TryDequeue(out var id) ? owner.EraseOneAsync(id, ct) : throw new NoMoreWork();

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The raw limit, in Steward's order: one read of what the erasure must know first (that the contact exists, the
    /// keys of its undownloaded access packages, and whether any sub-processor must be told to forget it: P-09), the
    /// ledger entry committed durably, the keys deleted from the key store, then the contact's rows in every table
    /// deleted with its audit event chained under the locked head, in one transaction.
    /// </summary>
    private sealed class RawErase(BenchEngine engine, RawStore ledger, Guid client, List<Guid> ids, int share)
    {
        private readonly BenchEngine _engine = engine;
        private readonly RawStore _ledgerStore = ledger;
        private readonly Guid _client = client;
        private const string DeleteRowsAndRecord = """
            DELETE FROM "ConsentEvents" WHERE "ClientId" = @client AND "ContactId" = @id;
            DELETE FROM "RestrictedReads" WHERE "ClientId" = @client AND "ContactId" = @id;
            DELETE FROM "ContactRestrictions" WHERE "ClientId" = @client AND "ContactId" = @id;
            UPDATE "RequestExports" SET "PackageSealed" = NULL WHERE "ClientId" = @client AND "ContactId" = @id;
            DELETE FROM "Contacts" WHERE "ClientId" = @client AND "Id" = @id;
            INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                "Outcome", "Status", "PrevHash", "Hash")
                VALUES (@seq, @at, 'api-key', @actor, @client, 'EraseContact', 'contact', @resource, 'success', 200, @prev, @hash);
            UPDATE "AuditChainHeads" SET "Seq" = @seq, "Hash" = @hash WHERE "Id" = 1
            """;

        // the sub-processors whose evidence lets them hold a client's data (none in the bench deployment: its seeded
        // register is unconfirmed), asked in the same round trip as the contact and its packages
        private const string FindContactAndVendors = """
            SELECT e."Id" FROM "Contacts" c LEFT JOIN "RequestExports" e
                ON e."ClientId" = c."ClientId" AND e."ContactId" = c."Id" AND e."PackageSealed" IS NOT NULL
                WHERE c."ClientId" = @client AND c."Id" = @id;
            SELECT COUNT(*) FROM "SubProcessors" WHERE "Status" = 'active' AND NOT "NeedsConfirmation" AND "EquivalentTerms"
                AND "DpaReference" IS NOT NULL AND "DueDiligenceAt" IS NOT NULL AND "LastReviewedAt" IS NOT NULL
            """;

        private readonly Pool _pool = new(ids, share);
        private readonly string _actorId = Guid.CreateVersion7().ToString();

        public async Task<IWorker> OpenWorkerAsync(CancellationToken ct) => new Worker(this, _pool.Take(),
            await _engine.Data.OpenAsync(ct), await _engine.Keys.OpenAsync(ct),
            // the ledger commits as Steward's does: FULL on SQLite, so an erasure survives power loss
            await _ledgerStore.OpenAsync(ct, _ledgerStore.IsSqlite ? "PRAGMA synchronous=FULL;" : ""));

        private sealed class Worker : RawWorker
        {
            private readonly RawErase _owner;
            private readonly Queue<Guid> _mine;
            private readonly DbConnection _ledger;
            private readonly DbCommand _append;
            private readonly DbCommand _shred;
            private readonly DbCommand _write;
            private readonly DbCommand _find;

            public Worker(RawErase owner, Queue<Guid> mine, DbConnection data, DbConnection keys, DbConnection ledger) : base(data, keys)
            {
                _owner = owner;
                _mine = mine;
                _ledger = ledger;
                _append = RawStore.Command(ledger,
                    "INSERT INTO forget_ledger (client_id, subject_id, kind, erased_at) VALUES (@c, @s, 'contact', @t)", "@c", "@s", "@t");
                _shred = OnKeys("DELETE FROM subject_keys WHERE client_id = @c AND subject_id = @s", "@c", "@s");
                _find = OnData(FindContactAndVendors, "@client", "@id");
                _write = OnData(DeleteRowsAndRecord, "@client", "@id", "@seq", "@at", "@actor", "@resource", "@prev", "@hash");
            }

            public override async Task RunOnceAsync(CancellationToken ct)
            {
                if (!_mine.TryDequeue(out var id)) throw new NoMoreWork();
                var owner = _owner;
                var (client, store, keyStore, ledger) = (owner._client, owner._engine.Data, owner._engine.Keys, owner._ledgerStore);
                var now = DateTimeOffset.UtcNow;

                RawStore.Set(_find, client, id);
                await using (var found = await _find.ExecuteReaderAsync(ct))
                {
                    if (!await found.ReadAsync(ct)) throw new InvalidOperationException("The raw erasure found no contact.");
                    // the bench makes no access package and has no sub-processor to tell: their keys and requests are not made
                    if (!found.IsDBNull(0)) throw new InvalidOperationException("The raw erasure found an access package.");
                    await found.NextResultAsync(ct);
                    if (!await found.ReadAsync(ct) || found.GetInt64(0) != 0) throw new InvalidOperationException("The raw erasure found a sub-processor to tell.");
                }

                await ledger.EnterWriteAsync(ct);
                try
                {
                    // one statement, atomic and durable on its own: no transaction around it, as Steward's one-contact append
                    RawStore.Set(_append, client, id, now.ToUnixTimeMilliseconds());
                    await _append.ExecuteNonQueryAsync(ct);
                }
                finally
                {
                    ledger.ExitWrite();
                }

                await keyStore.EnterWriteAsync(ct);
                try
                {
                    RawStore.Set(_shred, client, id);
                    if (await _shred.ExecuteNonQueryAsync(ct) != 1) throw new InvalidOperationException("The raw erasure found no key.");
                }
                finally
                {
                    keyStore.ExitWrite();
                }

                var resource = id.ToString();
                await WriteChainedAsync(store, _write, now, (owner._actorId, client, "EraseContact", resource, 200),
                    (seq, at, previous, hash) => RawStore.Set(_write, client, id, seq, at, owner._actorId, resource, previous, hash), ct);
            }

            public override async ValueTask DisposeAsync()
            {
                await _append.DisposeAsync();
                await _ledger.DisposeAsync();
                await base.DisposeAsync();
            }
        }
    }
}
