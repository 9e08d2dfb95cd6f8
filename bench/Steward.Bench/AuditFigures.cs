using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;

namespace Steward.Bench;

/// <summary>
/// audit-verify: the whole audit chain read and re-hashed, one verification after another. Steward through
/// VerifyAuditChain; the raw limit reads the same rows by plain ADO.NET and re-hashes them by the same rule.
/// Throughput is in events verified per second.
/// </summary>
internal static class AuditFigures
{
    public static async Task<Figure> RunAsync(BenchEngine engine, Settings settings, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var events = await SeedAsync(engine, settings.AuditEvents, ct);
        Log.Progress($"{engine.Name}: audit chain of {events:N0} events, seeded in {clock.Elapsed.TotalSeconds:F1} s");
        var measured = await Harness.CompareAsync($"{engine.Name} audit-verify",
            [new("steward", _ => Task.FromResult<IWorker>(new CallWorker(c => VerifyAsync(engine.Services, c)))),
                new("raw", async c => new RawVerify(engine.Data, await engine.Data.OpenAsync(c), await engine.Keys.OpenAsync(c)))],
            1, settings.Brief, ct);
        return new Figure("audit-verify", engine.Name, PerEvent(measured[0], events), PerEvent(measured[1], events), 0.5,
            Harness.PeakWorkingSet());
    }

    private static Measured PerEvent(Measured m, long events) => m with { PerSecond = m.PerSecond * events };

    /// <summary>Chained events appended after the chain's head in batches, as API-key reads would have left them.</summary>
    private static async Task<long> SeedAsync(BenchEngine engine, int count, CancellationToken ct)
    {
        var store = engine.Data;
        await store.EnsureChainHeadAsync(ct);
        await using var connection = await store.OpenAsync(ct);
        await using var head = RawStore.Command(connection, """SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1""");
        long seq;
        byte[] previous;
        await using (var reader = await head.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            seq = reader.GetInt64(0);
            previous = (byte[])reader.GetValue(1);
        }
        await using var insert = RawStore.Command(connection, """
            INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                "Outcome", "Status", "PrevHash", "Hash")
                VALUES (@seq, @at, 'api-key', @actor, @client, 'ReadContact', 'contact', @resource, 'success', 200, @prev, @hash)
            """, "@seq", "@at", "@actor", "@client", "@resource", "@prev", "@hash");
        await using var update = RawStore.Command(connection, """UPDATE "AuditChainHeads" SET "Seq" = @seq, "Hash" = @hash WHERE "Id" = 1""",
            "@seq", "@hash");
        var (actor, client) = (Guid.CreateVersion7().ToString(), Guid.CreateVersion7());
        const int Batch = 5_000;
        for (var done = 0; done < count; done += Batch)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            insert.Transaction = update.Transaction = tx;
            for (var i = done; i < Math.Min(count, done + Batch); i++)
            {
                seq++;
                var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                var resource = Guid.CreateVersion7().ToString();
                var hash = RawCrypto.ChainHash(previous, seq, string.Join('\u001f', seq, at.ToUnixTimeMilliseconds(),
                    "api-key", actor, client, "ReadContact", "contact", resource, "success", 200, "", ""));
                RawStore.Set(insert, seq, store.Time(at), actor, client, resource, previous, hash);
                await insert.ExecuteNonQueryAsync(ct);
                previous = hash;
            }
            RawStore.Set(update, seq, previous);
            await update.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        return seq;
    }

    private static async Task VerifyAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<VerifyAuditChain>().HandleAsync(ct);
        if (!report.Intact) throw new InvalidOperationException($"VerifyAuditChain: {report.Problem}");
    }

    /// <summary>The raw limit: one ordered scan, each event re-hashed after the one before it, then the head compared.</summary>
    private sealed class RawVerify : RawWorker
    {
        private readonly RawStore _store;
        private readonly DbCommand _scan;
        private readonly DbCommand _head;

        public RawVerify(RawStore store, DbConnection data, DbConnection keys) : base(data, keys)
        {
            _store = store;
            _scan = OnData("""
                SELECT "Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId", "Outcome", "Status",
                    "CorrelationId", "IpAddressSealed", "Reason", "PrevHash", "Hash"
                FROM "AuditEvents" ORDER BY "Seq"
                """);
            _head = OnData("""SELECT "Hash" FROM "AuditChainHeads" WHERE "Id" = 1""");
        }

        public override async Task RunOnceAsync(CancellationToken ct)
        {
            var previous = new byte[32];
            await using (var r = await _scan.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    var seq = r.GetInt64(0);
                    var text = string.Join('\u001f', seq, _store.UnixMilliseconds(r, 1), r.GetString(2), Text(r, 3),
                        r.IsDBNull(4) ? "" : r.GetGuid(4).ToString(), r.GetString(5), Text(r, 6), Text(r, 7), r.GetString(8),
                        r.GetInt32(9), Text(r, 10), r.IsDBNull(11) ? "" : Convert.ToBase64String((byte[])r.GetValue(11)));
                    if (!r.IsDBNull(12)) text += '\u001f' + r.GetString(12);
                    var hash = RawCrypto.ChainHash(previous, seq, text);
                    if (!((byte[])r.GetValue(13)).AsSpan().SequenceEqual(previous) || !((byte[])r.GetValue(14)).AsSpan().SequenceEqual(hash))
                        throw new InvalidOperationException($"The raw verification found event {seq} broken.");
                    previous = hash;
                }
            }
            if (await _head.ExecuteScalarAsync(ct) is not byte[] head || !head.AsSpan().SequenceEqual(previous))
                throw new InvalidOperationException("The raw verification found the chain's head elsewhere.");
        }

        private static string Text(DbDataReader r, int i) => r.IsDBNull(i) ? "" : r.GetString(i);
    }
}
