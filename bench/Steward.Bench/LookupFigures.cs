using System.Data.Common;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Bench;

/// <summary>
/// lookup-email: one contact found by email among a client's N, through the blind index, and opened with its
/// own key. Steward through ReadContacts.FindAsync; the raw limit as a point lookup by the 32-byte index, the
/// key fetch, the unwrap and the decryption, by plain ADO.NET.
/// </summary>
internal static class LookupFigures
{
    /// <param name="client">A client seeded with <see cref="SeedAsync"/> of <see cref="Settings.LookupContacts"/> contacts.</param>
    public static async Task<Figure> RunAsync(BenchEngine engine, Guid client, Settings settings, CancellationToken ct)
    {
        var count = settings.LookupContacts;
        var steward = new StewardLookup(engine.Services, client, count);
        var raw = new RawLookup(engine, client, count);
        var measured = await Harness.CompareAsync($"{engine.Name} lookup-email",
            [new("steward", steward.OpenWorkerAsync), new("raw", raw.OpenWorkerAsync)], settings.ReadConcurrency, settings, ct);
        return new Figure("lookup-email", engine.Name, measured[0], measured[1], 0.5, Harness.PeakWorkingSet());
    }

    internal static string Email(int i) => $"subject{i}@lookup.example";

    private static string FirstName(int i) => $"Grace {i}";

    private sealed record SeedRow(Guid Id, byte[] Wrapped, byte[] EmailIndex, byte[] EmailSealed, byte[] FirstNameSealed);

    /// <summary>
    /// Contacts written in batches straight into the stores, sealed and indexed by Steward's own code (the KEK,
    /// DataKey, BlindIndex) so that Steward opens them as its own. One at a time through the vault would take
    /// hours at a million on SQLite.
    /// </summary>
    /// <param name="ids">If given, receives the seeded contacts' ids (for figures that consume them).</param>
    public static async Task SeedAsync(BenchEngine engine, Guid client, int count, CancellationToken ct, List<Guid>? ids = null)
    {
        var kek = engine.Services.GetRequiredService<KeyEncryptionKey>();
        var index = engine.Services.GetRequiredService<BlindIndex>();
        var kekId = engine.Crypto.KekId;
        // a big page cache keeps SQLite's random-key index inserts off the disk while seeding
        const string SeedPragmas = "PRAGMA cache_size=-262144;";
        await using var data = await engine.Data.OpenAsync(ct, SeedPragmas);
        await using var keys = await engine.Keys.OpenAsync(ct, SeedPragmas);
        const int Batch = 10_000;
        var rows = new List<SeedRow>(Batch);
        for (var start = 0; start < count; start += Batch)
        {
            rows.Clear();
            for (var i = start; i < Math.Min(count, start + Batch); i++)
            {
                var id = Guid.CreateVersion7();
                ids?.Add(id);
                var material = RandomNumberGenerator.GetBytes(32);
                // one thread only: KeyEncryptionKey shares one AesGcm, which is not safe across threads
                var wrapped = kek.Wrap(material, WrapContext(client, id));
                using var key = new DataKey(client, id, material);
                rows.Add(new SeedRow(id, wrapped, (await index.EmailAsync(client, Email(i), ct))!,
                    key.Seal("email", Email(i))!, key.Seal("firstName", FirstName(i))!));
            }
            var now = DateTimeOffset.UtcNow;
            if (engine.Kind == EngineKind.Sqlite) await InsertSqliteAsync(engine, data, keys, client, kekId, rows, now, ct);
            else await CopyPostgresAsync((NpgsqlConnection)data, (NpgsqlConnection)keys, client, kekId, rows, now, ct);
            if ((start + Batch) % 200_000 == 0) Log.Progress($"{engine.Name}: {start + Batch:N0} of {count:N0} contacts seeded");
        }
        if (engine.Kind == EngineKind.Postgres)
        {
            // fresh statistics, as a table loaded in bulk would get from autovacuum before long
            await using var analyzeData = RawStore.Command(data, "ANALYZE \"Contacts\"");
            await analyzeData.ExecuteNonQueryAsync(ct);
            await using var analyzeKeys = RawStore.Command(keys, "ANALYZE subject_keys");
            await analyzeKeys.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>KeyVault's associated data for a wrapped key (private there): the same bytes, spelled out.</summary>
    private static byte[] WrapContext(Guid clientId, Guid subjectId) =>
        [.. "steward/dek/v1"u8, .. clientId.ToByteArray(), .. subjectId.ToByteArray()];

    private static async Task InsertSqliteAsync(BenchEngine engine, DbConnection data, DbConnection keys, Guid client, string kekId,
        List<SeedRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using (var tx = await keys.BeginTransactionAsync(ct))
        {
            await using var insert = RawStore.Command(keys,
                "INSERT INTO subject_keys (subject_id, client_id, kek_id, wrapped, created_at) VALUES (@s, @c, @k, @w, @t)",
                "@s", "@c", "@k", "@w", "@t");
            insert.Transaction = tx;
            foreach (var row in rows)
            {
                RawStore.Set(insert, row.Id, client, kekId, row.Wrapped, now.ToUnixTimeMilliseconds());
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        await using (var tx = await data.BeginTransactionAsync(ct))
        {
            await using var insert = RawStore.Command(data, """
                INSERT INTO "Contacts" ("Id", "ClientId", "EmailIndex", "EmailSealed", "FirstNameSealed", "Source", "CreatedAt", "UpdatedAt")
                VALUES (@id, @client, @index, @email, @first, 'import', @now, @now)
                """, "@id", "@client", "@index", "@email", "@first", "@now");
            insert.Transaction = tx;
            var at = engine.Data.Time(now);
            foreach (var row in rows)
            {
                RawStore.Set(insert, row.Id, client, row.EmailIndex, row.EmailSealed, row.FirstNameSealed, at);
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
    }

    private static async Task CopyPostgresAsync(NpgsqlConnection data, NpgsqlConnection keys, Guid client, string kekId,
        List<SeedRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using (var copy = await keys.BeginBinaryImportAsync(
            "COPY subject_keys (subject_id, client_id, kek_id, wrapped, created_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(row.Id, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(client, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(kekId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(row.Wrapped, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(now.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await using (var copy = await data.BeginBinaryImportAsync("""
            COPY "Contacts" ("Id", "ClientId", "EmailIndex", "EmailSealed", "FirstNameSealed", "Source", "CreatedAt", "UpdatedAt")
            FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(row.Id, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(client, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(row.EmailIndex, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(row.EmailSealed, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(row.FirstNameSealed, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync("import", NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }
            await copy.CompleteAsync(ct);
        }
    }

    /// <summary>Steward through its use case, one DI scope per call as one request would have.</summary>
    private sealed class StewardLookup(IServiceProvider services, Guid client, int count)
    {
        public Task<IWorker> OpenWorkerAsync(CancellationToken ct) => Task.FromResult<IWorker>(new Worker(this));

        private async Task FindOneAsync(CancellationToken ct)
        {
            var email = Email(Random.Shared.Next(count));
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<StewardDb>().TenantId = client;
            var page = await scope.ServiceProvider.GetRequiredService<ReadContacts>().FindAsync(client, email, null, null, null, ct);
            if (!page.IsSuccess || page.Value!.Items is not [var found] || found.Email != email)
                throw new InvalidOperationException("FindAsync did not return the one contact with the email.");
        }

        private sealed class Worker(StewardLookup owner) : IWorker
        {
            public Task RunOnceAsync(CancellationToken ct) => owner.FindOneAsync(ct);
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The raw limit: each caller holds its connections and prepared statements, as a tuned reader would.
    /// <paramref name="audited"/>: each lookup also writes the chained audit event that Steward's API writes for every
    /// request (lookup-http's comparison): on SQLite in its own transaction, by <see cref="RawWorker.WriteChainedAsync"/>;
    /// on PostgreSQL as one statement in autocommit that locks the head, hashes in the database, inserts and moves the
    /// head, its hash checked by the chain's rule: the fewest round trips for that work (Steward's AuditAppender does the
    /// same), where the transaction would take three.
    /// </summary>
    internal sealed class RawLookup(BenchEngine engine, Guid client, int count, bool audited = false)
    {
        private readonly BenchEngine _engine = engine;
        private readonly Guid _client = client;
        private readonly int _count = count;
        private readonly bool _audited = audited;
        private readonly byte[] _indexKey = engine.Crypto.IndexKey(client);
        private readonly string _actorId = Guid.CreateVersion7().ToString();

        public async Task<IWorker> OpenWorkerAsync(CancellationToken ct) =>
            new Worker(this, await _engine.Data.OpenAsync(ct), await _engine.Keys.OpenAsync(ct));

        private sealed class Worker : RawWorker
        {
            private const string Audit = """
                INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                    "Outcome", "Status", "PrevHash", "Hash")
                    VALUES (@seq, @at, 'api-key', @actor, @client, 'ListContacts', 'contact', @resource, 'success', 200, @prev, @hash);
                UPDATE "AuditChainHeads" SET "Seq" = @seq, "Hash" = @hash WHERE "Id" = 1
                """;

            // AuditChain's rule in PostgreSQL: sha256(previous hash | seq as 8 bytes | seq as text | @tail)
            private const string AppendAudit = """
                WITH head AS (SELECT "Seq" + 1 AS seq, "Hash" AS prev FROM "AuditChainHeads" WHERE "Id" = 1 FOR UPDATE),
                sealed AS (SELECT seq, prev, sha256(prev || int8send(seq) || convert_to(seq::text, 'UTF8') || @tail) AS hash FROM head),
                moved AS (UPDATE "AuditChainHeads" SET "Seq" = sealed.seq, "Hash" = sealed.hash FROM sealed WHERE "Id" = 1)
                INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                    "Outcome", "Status", "PrevHash", "Hash")
                SELECT seq, @at, 'api-key', @actor, @client, 'ListContacts', 'contact', @resource, 'success', 200, prev, hash FROM sealed
                RETURNING "Seq", "PrevHash", "Hash"
                """;

            private readonly RawLookup _owner;
            private readonly DbCommand _find;
            private readonly DbCommand _key;
            private readonly DbCommand? _audit;

            public Worker(RawLookup owner, DbConnection data, DbConnection keys) : base(data, keys)
            {
                _owner = owner;
                _find = OnData("""SELECT "Id", "EmailSealed", "FirstNameSealed" FROM "Contacts" WHERE "ClientId" = @c AND "EmailIndex" = @m""",
                    "@c", "@m");
                _key = OnKeys("SELECT wrapped FROM subject_keys WHERE client_id = @c AND subject_id = @s", "@c", "@s");
                if (owner._audited)
                    _audit = owner._engine.Data.IsSqlite
                        ? OnData(Audit, "@seq", "@at", "@actor", "@client", "@resource", "@prev", "@hash")
                        : OnData(AppendAudit, "@tail", "@at", "@actor", "@client", "@resource");
            }

            public override async Task RunOnceAsync(CancellationToken ct)
            {
                var (client, crypto) = (_owner._client, _owner._engine.Crypto);
                var email = Email(Random.Shared.Next(_owner._count));
                RawStore.Set(_find, client, RawCrypto.EmailIndex(_owner._indexKey, email));
                Guid id;
                byte[] emailSealed, firstNameSealed;
                await using (var reader = await _find.ExecuteReaderAsync(ct))
                {
                    if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("The raw lookup found no contact.");
                    id = reader.GetGuid(0);
                    emailSealed = (byte[])reader.GetValue(1);
                    firstNameSealed = (byte[])reader.GetValue(2);
                }
                RawStore.Set(_key, client, id);
                var wrapped = await _key.ExecuteScalarAsync(ct) as byte[] ?? throw new InvalidOperationException("No key.");
                if (crypto.Open(client, id, wrapped, emailSealed, firstNameSealed).Email != email)
                    throw new InvalidOperationException("The raw lookup opened another contact.");
                if (_audit is null) return;
                var resource = client.ToString();
                if (!_owner._engine.Data.IsSqlite)
                {
                    await AppendAsync(client, resource, ct);
                    return;
                }
                await WriteChainedAsync(_owner._engine.Data, _audit, DateTimeOffset.UtcNow, (_owner._actorId, client, "ListContacts", resource, 200),
                    (seq, at, previous, hash) => RawStore.Set(_audit, seq, at, _owner._actorId, client, resource, previous, hash), ct);
            }

            /// <summary>PostgreSQL: the event appended in autocommit, and the hash the database gave checked.</summary>
            private async Task AppendAsync(Guid client, string resource, CancellationToken ct)
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                // the event's fields after the seq, in AuditChain's order
                var tail = "\u001f" + string.Join('\u001f', at.ToUnixTimeMilliseconds(), "api-key", _owner._actorId, client, "ListContacts",
                    "contact", resource, "success", 200, "", "");
                RawStore.Set(_audit!, System.Text.Encoding.UTF8.GetBytes(tail), at, _owner._actorId, client, resource);
                await using var reader = await _audit!.ExecuteReaderAsync(ct);
                if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("No audit chain head.");
                var seq = reader.GetInt64(0);
                if (!RawCrypto.ChainHash((byte[])reader.GetValue(1), seq, seq + tail).AsSpan().SequenceEqual((byte[])reader.GetValue(2)))
                    throw new InvalidOperationException("The database chained the raw event to another hash.");
            }
        }
    }
}
