using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.Options;
using Steward.Contacts;
using Steward.Data;

namespace Steward.Audit;

/// <summary>
/// Appends the event of a request that wrote nothing else (a read, a refusal, a failure: <see cref="AuditMiddleware"/>)
/// as a unit of work of its own, on held connections with its statements prepared: through EF Core each such event cost
/// a context, a transaction and the save pipeline, more than the read it records. The chain's rule stays
/// <see cref="AuditChain"/>'s. PostgreSQL runs the chain's append statement in autocommit, so the head's row lock is held
/// for that one statement and its commit; SQLite chains the event under the data's write gate, as a unit of work does.
/// A restore replaces the data under the held connections: they follow <see cref="HeldReader.DropAll"/>.
/// </summary>
public sealed class AuditAppender(EmailLookup connections, IOptions<StorageOptions> storage) : IAsyncDisposable
{
    // EF Core's SQLite columns hold DateTimeOffset as binary ticks (SqliteStewardDb)
    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    private readonly bool _sqlite = storage.Value.Database.Provider == DatabaseProvider.Sqlite;
    private readonly string _connectionString = storage.Value.DataConnectionString;
    private HeldReader? _postgres;
    // used by the holder of the write gate alone
    private SqliteChain? _held;

    private HeldReader Postgres => LazyInitializer.EnsureInitialized(ref _postgres, () =>
        new HeldReader(connections.OpenAsync, AuditChain.AppendSql, [.. AuditChain.AppendTypes.Select(type => ("", (DbType?)type))]));

    /// <summary>Chains <paramref name="e"/> after the head and commits it durably; it then holds its place in the chain.</summary>
    public async Task AppendAsync(AuditEvent e, CancellationToken ct)
    {
        if (!_sqlite)
        {
            if (await Postgres.ReadAsync(AuditChain.AppendValues(e), r => AuditChain.Appended(r, e), ct) is not null) return;
            // a database whose chain never started: its genesis head, then the append again
            await using (var connection = await connections.OpenAsync(ct))
            await using (var genesis = SqlStore.Command(connection, AuditChain.GenesisSql, null, ("", AuditChain.Genesis)))
                await genesis.ExecuteNonQueryAsync(ct);
            if (await Postgres.ReadAsync(AuditChain.AppendValues(e), r => AuditChain.Appended(r, e), ct) is null)
                throw new InvalidOperationException("The audit chain has no head.");
            return;
        }

        var gate = StewardDb.SqliteWriteGate(_connectionString);
        await gate.WaitAsync(ct);
        try
        {
            if (_held is { } stale && stale.Generation != HeldReader.Generation)
            {
                stale.Dispose();
                _held = null;
            }
            var generation = HeldReader.Generation;
            _held ??= new SqliteChain((SqliteConnection)await connections.OpenAsync(ct), generation);
            try
            {
                _held.Append(e);
            }
            catch
            {
                // a failed write may leave the connection in any state: the next one starts afresh
                _held.Dispose();
                _held = null;
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        _held?.Dispose();
    }

    /// <summary>SQLite: one connection and the chain's statements, each prepared once.</summary>
    private sealed class SqliteChain : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _head;
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _move;

        public SqliteChain(SqliteConnection connection, int generation)
        {
            _connection = connection;
            Generation = generation;
            _head = Prepared("""SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1""");
            _insert = Prepared("""
                INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                    "Outcome", "Status", "IpAddressSealed", "CorrelationId", "Reason", "PrevHash", "Hash")
                VALUES (@seq, @at, @actorType, @actorId, @clientId, @action, @resourceType, @resourceId,
                    @outcome, @status, @ip, @correlationId, @reason, @prev, @hash)
                """, "@seq", "@at", "@actorType", "@actorId", "@clientId", "@action", "@resourceType", "@resourceId",
                "@outcome", "@status", "@ip", "@correlationId", "@reason", "@prev", "@hash");
            // the head row of a chain that never started is made here too
            _move = Prepared("""
                INSERT INTO "AuditChainHeads" ("Id", "Seq", "Hash") VALUES (1, @seq, @hash)
                    ON CONFLICT ("Id") DO UPDATE SET "Seq" = excluded."Seq", "Hash" = excluded."Hash"
                """, "@seq", "@hash");
        }

        public int Generation { get; }

        /// <summary>One transaction, taken at once for writing (BEGIN IMMEDIATE): the head as stored, the event, the head moved.</summary>
        public void Append(AuditEvent e)
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            _head.Transaction = _insert.Transaction = _move.Transaction = transaction;
            (e.Seq, e.PrevHash) = (1, AuditChain.Genesis);
            using (var reader = _head.ExecuteReader())
                if (reader.Read()) (e.Seq, e.PrevHash) = (reader.GetInt64(0) + 1, (byte[])reader.GetValue(1));
            e.Hash = AuditChain.Hash(e);
            Bind(_insert, e.Seq, SqliteTime.ConvertToProvider(e.At), e.ActorType, e.ActorId, e.ClientId, e.Action, e.ResourceType,
                e.ResourceId, e.Outcome, e.Status, e.IpAddressSealed, e.CorrelationId, e.Reason, e.PrevHash, e.Hash);
            _insert.ExecuteNonQuery();
            Bind(_move, e.Seq, e.Hash);
            _move.ExecuteNonQuery();
            transaction.Commit();
        }

        private SqliteCommand Prepared(string sql, params string[] parameters)
        {
            var command = (SqliteCommand)SqlStore.Command(_connection, sql, null, [.. parameters.Select(name => (name, (object?)null))]);
            command.Prepare();
            return command;
        }

        private static void Bind(SqliteCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        public void Dispose()
        {
            _head.Dispose();
            _insert.Dispose();
            _move.Dispose();
            _connection.Dispose();
        }
    }
}
