using System.Data.Common;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Crypto;

/// <summary>
/// The append-only list of every erased subject (ids only, never data), kept apart from the data and the key
/// store so that no restore overwrites it. An erasure is written here first and durably; replaying the ledger
/// finishes any erasure that a crash interrupted and removes whatever a restored backup brought back.
/// </summary>
public sealed class ForgetLedger(IOptions<StorageOptions> storage) : IAsyncDisposable
{
    private const string SqliteSchema = """
        CREATE TABLE IF NOT EXISTS forget_ledger (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id BLOB NOT NULL, subject_id BLOB NOT NULL,
            kind TEXT NOT NULL, erased_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_forget_ledger_erased_at ON forget_ledger (erased_at);
        CREATE TRIGGER IF NOT EXISTS forget_ledger_no_update BEFORE UPDATE ON forget_ledger
            BEGIN SELECT RAISE(ABORT, 'the forget ledger is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS forget_ledger_no_delete BEFORE DELETE ON forget_ledger
            BEGIN SELECT RAISE(ABORT, 'the forget ledger is append-only'); END;
        """;

    private const string PostgresSchema = """
        CREATE SCHEMA IF NOT EXISTS steward_ledger;
        CREATE TABLE IF NOT EXISTS steward_ledger.forget_ledger (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, client_id uuid NOT NULL, subject_id uuid NOT NULL,
            kind text NOT NULL, erased_at bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_forget_ledger_erased_at ON steward_ledger.forget_ledger (erased_at);
        CREATE OR REPLACE FUNCTION steward_ledger.append_only() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'the forget ledger is append-only'; END $$;
        DROP TRIGGER IF EXISTS forget_ledger_append_only ON steward_ledger.forget_ledger;
        CREATE TRIGGER forget_ledger_append_only BEFORE UPDATE OR DELETE ON steward_ledger.forget_ledger
            FOR EACH ROW EXECUTE FUNCTION steward_ledger.append_only();
        """;

    public const string ContactKind = "contact";
    /// <summary>A purged client (subject id = client id): replaying deletes whatever a restore brought back of it.</summary>
    public const string ClientKind = "client";

    private readonly SqlStore _store = new(storage.Value.Database.Provider, storage.Value.LedgerConnection, durableCommits: true);
    /// <summary>The SQLite connection of single appends; made under the write gate.</summary>
    private HeldSqliteWriter? _held;

    public sealed record Entry(long Seq, Guid ClientId, Guid SubjectId, string Kind, DateTimeOffset ErasedAt);

    public Task InitializeAsync(CancellationToken ct) => _store.InitializeAsync(SqliteSchema, PostgresSchema, ct);

    public Task PingAsync(CancellationToken ct) => _store.PingAsync("forget_ledger", ct);

    public async Task AppendAsync(Guid clientId, IReadOnlyCollection<Guid> subjectIds, string kind, DateTimeOffset at, CancellationToken ct)
    {
        if (_store.IsSqlite) await _store.WriteGate.WaitAsync(ct);
        try
        {
            if (subjectIds.Count == 1)
            {
                // one erasure (the hot path): one statement is atomic and durable on its own, so no transaction around
                // it (on PostgreSQL one round trip, not two); on SQLite on the held connection, prepared once
                (string, object?)[] values = [("@c", clientId), ("@s", subjectIds.First()), ("@k", kind), ("@t", at.ToUnixTimeMilliseconds())];
                if (_store.IsSqlite) await (_held ??= new HeldSqliteWriter(_store)).ExecuteAsync(InsertOne, ct, values);
                else
                {
                    await using var single = await _store.OpenAsync(ct);
                    await using var one = SqlStore.Command(single, InsertOne, null, values);
                    await one.ExecuteNonQueryAsync(ct);
                }
                return;
            }
            await using var connection = await _store.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            // one command for every row: a new command per row is parsed again each time on SQLite
            await using var insert = SqlStore.Command(connection, InsertOne, tx,
                ("@c", clientId), ("@s", Guid.Empty), ("@k", kind), ("@t", at.ToUnixTimeMilliseconds()));
            foreach (var id in subjectIds)
            {
                insert.Parameters[1].Value = id;
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            if (_store.IsSqlite) _store.WriteGate.Release();
        }
    }

    /// <summary>
    /// A purged client: each of its contacts, then the client itself, in one durable commit. The contacts are streamed
    /// (a client may hold millions, never all in memory); answers how many were written.
    /// </summary>
    public async Task<int> AppendClientAsync(Guid clientId, IAsyncEnumerable<Guid> contactIds, DateTimeOffset at, CancellationToken ct)
    {
        var count = 0;
        if (_store.IsSqlite) await _store.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await _store.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var erasedAt = at.ToUnixTimeMilliseconds();
            if (_store.IsSqlite)
            {
                // in process, a prepared insert per row is as fast as SQLite appends
                await using var insert = SqlStore.Command(connection, InsertOne, tx,
                    ("@c", clientId), ("@s", Guid.Empty), ("@k", ContactKind), ("@t", erasedAt));
                await foreach (var id in contactIds.WithCancellation(ct))
                {
                    insert.Parameters[1].Value = id;
                    await insert.ExecuteNonQueryAsync(ct);
                    count++;
                }
            }
            else
            {
                // over the network, one round trip per page of ids rather than per id
                await using var insert = SqlStore.Command(connection,
                    "INSERT INTO forget_ledger (client_id, subject_id, kind, erased_at) SELECT @c, s, @k, @t FROM unnest(@s) AS s", tx,
                    ("@c", clientId), ("@s", Array.Empty<Guid>()), ("@k", ContactKind), ("@t", erasedAt));
                var page = new List<Guid>(PostgresPage);
                await foreach (var id in contactIds.WithCancellation(ct))
                {
                    page.Add(id);
                    if (page.Count == PostgresPage) count += await FlushAsync(insert, page, ct);
                }
                count += await FlushAsync(insert, page, ct);
            }
            await using (var client = SqlStore.Command(connection, InsertOne, tx, ("@c", clientId), ("@s", clientId), ("@k", ClientKind), ("@t", erasedAt)))
                await client.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            if (_store.IsSqlite) _store.WriteGate.Release();
        }
        return count;
    }

    private const string InsertOne = "INSERT INTO forget_ledger (client_id, subject_id, kind, erased_at) VALUES (@c, @s, @k, @t)";

    private const int PostgresPage = 10_000;

    private static async Task<int> FlushAsync(DbCommand insert, List<Guid> page, CancellationToken ct)
    {
        if (page.Count == 0) return 0;
        insert.Parameters[1].Value = page.ToArray();
        await insert.ExecuteNonQueryAsync(ct);
        var written = page.Count;
        page.Clear();
        return written;
    }

    /// <summary>Every entry erased at or after <paramref name="since"/>, oldest first, streamed.</summary>
    public async IAsyncEnumerable<Entry> ReadSinceAsync(DateTimeOffset since,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await _store.OpenAsync(ct);
        await using var select = SqlStore.Command(connection,
            "SELECT seq, client_id, subject_id, kind, erased_at FROM forget_ledger WHERE erased_at >= @t ORDER BY seq", null,
            ("@t", since.ToUnixTimeMilliseconds()));
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return Read(reader);
    }

    private static Entry Read(DbDataReader r) =>
        new(r.GetInt64(0), r.GetGuid(1), r.GetGuid(2), r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)));

    public async ValueTask DisposeAsync()
    {
        if (_held is not null) await _held.DisposeAsync();
        await _store.DisposeAsync();
    }
}
