using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace Steward.Audit;

/// <summary>
/// PostgreSQL's audit chain, appended in groups. A unit of work commits its events into "AuditPending" with its
/// change, under no shared lock, then waits for a chaining round that started after its commit. A round locks the
/// chain head, chains in order (<see cref="AuditChain.Hash"/>) every committed pending event and the events handed to
/// it in memory (a request that wrote nothing else: <see cref="AuditAppender"/>), inserts them into "AuditEvents" and
/// commits once, in two round trips. Concurrent writers thus share one head lock and one commit, where each used to
/// hold the head's lock through its own commit, so that writers took turns at one fsync each.
/// The head's row lock still orders rounds across processes. A pending event is as durable as the change it records:
/// one left by a process that died before its round is chained by the next round of any process (every write, every
/// verification and every start runs one).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "one per database, for the life of the process")]
public sealed class PostgresChain
{
    private static readonly ConcurrentDictionary<string, PostgresChain> ByDatabase = new(StringComparer.Ordinal);

    // a round moves at most this many pending events per transaction, and goes on until none is left
    private const int Batch = 5_000;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly ConcurrentQueue<AuditEvent> _handed = new();
    // rounds started and ended; written under _turn only
    private long _started;
    private long _ended;
    // the rounds' connection, used under _turn only; reopened after a failure or a restore
    private NpgsqlConnection? _connection;
    private int _generation;

    private PostgresChain(string connectionString) => _connectionString = connectionString;

    /// <summary>The chain of the data database at <paramref name="connectionString"/>, one per process.</summary>
    public static PostgresChain For(string connectionString) => ByDatabase.GetOrAdd(connectionString, cs => new PostgresChain(cs));

    /// <summary>
    /// Returns once a round that started after this call has ended: every event committed before the call, and
    /// <paramref name="handed"/>, are then in the chain, durably. Callers that arrive during a round are served together
    /// by the next one, which one of them runs.
    /// </summary>
    public async Task ChainAsync(AuditEvent? handed = null, CancellationToken ct = default)
    {
        if (handed is not null) _handed.Enqueue(handed);
        var needed = Interlocked.Read(ref _started) + 1;
        await _turn.WaitAsync(ct);
        try
        {
            if (Interlocked.Read(ref _ended) >= needed) return;
            var round = Interlocked.Increment(ref _started);
            // not cancelled with one caller: the others wait for the same round
            await RoundAsync(CancellationToken.None);
            Interlocked.Exchange(ref _ended, round);
        }
        finally
        {
            _turn.Release();
        }
    }

    // the head of a chain that never started is made first; then the head is locked and the pending events read. Each
    // statement sees what was committed when it began, so the read sees every commit made before the lock was had.
    // Identity values of concurrent transactions interleave: a unit of work's events are kept together, in order.
    private const string GenesisSql = """INSERT INTO "AuditChainHeads" ("Id", "Seq", "Hash") VALUES (1, 0, $1) ON CONFLICT ("Id") DO NOTHING""";
    private const string LockHeadSql = """SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1 FOR UPDATE""";
    private static readonly string ReadPendingSql = $"""
        SELECT "Id", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId", "Outcome", "Status",
            "IpAddressSealed", "CorrelationId", "Reason"
        FROM "AuditPending" ORDER BY min("Id") OVER (PARTITION BY "Unit"), "Id" LIMIT {Batch}
        """;
    private const string InsertEventsSql = """
        INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId", "Outcome",
            "Status", "IpAddressSealed", "CorrelationId", "Reason", "PrevHash", "Hash")
        SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::integer[], $11::bytea[], $12::text[], $13::text[], $14::bytea[], $15::bytea[])
        """;
    private const string DeletePendingSql = """DELETE FROM "AuditPending" WHERE "Id" = ANY($1)""";
    private const string MoveHeadSql = """UPDATE "AuditChainHeads" SET "Seq" = $1, "Hash" = $2 WHERE "Id" = 1""";

    private async Task RoundAsync(CancellationToken ct)
    {
        List<AuditEvent> handed = [];
        while (_handed.TryDequeue(out var e)) handed.Add(e);
        try
        {
            if (_connection is not null && _generation != Data.HeldReader.Generation) await DropAsync();
            if (_connection is null)
            {
                _generation = Data.HeldReader.Generation;
                _connection = new NpgsqlConnection(_connectionString);
                await _connection.OpenAsync(ct);
            }
            while (await ChainSomeAsync(_connection, handed, ct) == Batch)
            {
            }
        }
        catch
        {
            // a failed transaction may leave the connection in any state: closing it rolls back; the handed events
            // that did not commit wait for the next round
            foreach (var e in handed) _handed.Enqueue(e);
            await DropAsync();
            throw;
        }
    }

    private async Task DropAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }

    /// <summary>
    /// One transaction, two round trips: the head locked and up to <see cref="Batch"/> pending events read; then they
    /// and <paramref name="handed"/> chained, inserted, the pending ones deleted, the head moved, committed. Answers how many
    /// pending events it moved.
    /// </summary>
    private static async Task<int> ChainSomeAsync(NpgsqlConnection connection, List<AuditEvent> handed, CancellationToken ct)
    {
        long seq;
        byte[] hash;
        var ids = new List<long>();
        var events = new List<AuditEvent>();
        await using (var read = new NpgsqlBatch(connection))
        {
            read.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            read.BatchCommands.Add(new NpgsqlBatchCommand(GenesisSql) { Parameters = { new() { Value = AuditChain.Genesis } } });
            read.BatchCommands.Add(new NpgsqlBatchCommand(LockHeadSql));
            read.BatchCommands.Add(new NpgsqlBatchCommand(ReadPendingSql));
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("The audit chain has no head.");
            (seq, hash) = (reader.GetInt64(0), (byte[])reader.GetValue(1));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
                events.Add(new AuditEvent
                {
                    At = reader.GetFieldValue<DateTimeOffset>(1),
                    ActorType = reader.GetString(2),
                    ActorId = Text(reader, 3),
                    ClientId = reader.IsDBNull(4) ? null : reader.GetGuid(4),
                    Action = reader.GetString(5),
                    ResourceType = Text(reader, 6),
                    ResourceId = Text(reader, 7),
                    Outcome = reader.GetString(8),
                    Status = reader.GetInt32(9),
                    IpAddressSealed = reader.IsDBNull(10) ? null : (byte[])reader.GetValue(10),
                    CorrelationId = Text(reader, 11),
                    Reason = Text(reader, 12),
                });
            }
        }
        // with the round's last transaction, so that they never split a unit of work cut by the limit
        if (ids.Count < Batch) events.AddRange(handed);

        await using var write = new NpgsqlBatch(connection);
        if (events.Count > 0)
        {
            foreach (var e in events)
            {
                (e.Seq, e.PrevHash) = (++seq, hash);
                e.Hash = hash = AuditChain.Hash(e);
            }
            write.BatchCommands.Add(new NpgsqlBatchCommand(InsertEventsSql)
            {
                Parameters =
                {
                    new() { Value = events.Select(e => e.Seq).ToArray() },
                    new() { Value = events.Select(e => e.At.ToUniversalTime()).ToArray() },
                    new() { Value = events.Select(e => e.ActorType).ToArray() },
                    new() { Value = events.Select(e => e.ActorId).ToArray() },
                    new() { Value = events.Select(e => e.ClientId).ToArray() },
                    new() { Value = events.Select(e => e.Action).ToArray() },
                    new() { Value = events.Select(e => e.ResourceType).ToArray() },
                    new() { Value = events.Select(e => e.ResourceId).ToArray() },
                    new() { Value = events.Select(e => e.Outcome).ToArray() },
                    new() { Value = events.Select(e => e.Status).ToArray() },
                    new() { Value = events.Select(e => e.IpAddressSealed).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                    new() { Value = events.Select(e => e.CorrelationId).ToArray() },
                    new() { Value = events.Select(e => e.Reason).ToArray() },
                    new() { Value = events.Select(e => e.PrevHash).ToArray() },
                    new() { Value = events.Select(e => e.Hash).ToArray() },
                },
            });
            if (ids.Count > 0) write.BatchCommands.Add(new NpgsqlBatchCommand(DeletePendingSql) { Parameters = { new() { Value = ids.ToArray() } } });
            write.BatchCommands.Add(new NpgsqlBatchCommand(MoveHeadSql) { Parameters = { new() { Value = seq }, new() { Value = hash } } });
        }
        write.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        await write.ExecuteNonQueryAsync(ct);
        return ids.Count;
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
