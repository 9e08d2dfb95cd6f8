using System.Buffers.Binary;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Steward.Data;

namespace Steward.Audit;

/// <summary>
/// The hash chain over audit events: each event's hash covers its content and the previous event's hash, so a
/// changed, removed or reordered event breaks every hash after it. One rule, used to seal and to verify.
/// </summary>
public static class AuditChain
{
    public static readonly byte[] Genesis = new byte[32];

    /// <summary>
    /// Saves the unit of work, then appends its events last, in its transaction.
    /// PostgreSQL: each event with one statement that locks the chain head, chains the event to it and moves it, all
    /// sent in one round trip. The head's row lock, which orders writers across processes, is then held for that round
    /// trip and the commit only, not for the unit of work's own writes, so that concurrent writers' commits overlap as
    /// far as the chain allows.
    /// SQLite: the write gate orders writers; the head is read, the events chained and inserted and the head moved by
    /// plain commands (<see cref="SqliteChain"/>): through EF Core's save pipeline these two rows cost more than their
    /// statements, inside the gate every writer waits on.
    /// </summary>
    public static async Task SaveAndAppendAsync(StewardDb db, CancellationToken ct)
    {
        var pending = Pending(db);
        // SaveChanges must not insert them: they are inserted by the append, with their place in the chain
        foreach (var e in pending) db.Entry(e).State = EntityState.Detached;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            // as before the save: still pending in this context
            foreach (var e in pending) db.AuditEvents.Add(e);
            throw;
        }
        if (pending.Count == 0) return;

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (db.IsSqlite)
            {
                using var chain = new SqliteChain((SqliteConnection)db.Database.GetDbConnection());
                chain.Append(pending, (SqliteTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
            }
            else if (!await AppendAsync(db, pending, ct))
            {
                // a database whose chain never started: its genesis head, then the append again
                await using var genesis = db.Database.GetDbConnection().CreateCommand();
                genesis.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                genesis.CommandText = GenesisSql;
                genesis.Parameters.Add(Parameter(genesis.CreateParameter(), Genesis));
                await genesis.ExecuteNonQueryAsync(ct);
                if (!await AppendAsync(db, pending, ct)) throw new InvalidOperationException("The audit chain has no head.");
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The head of a chain that never started, unless another writer made it first ($1: <see cref="Genesis"/>).</summary>
    internal const string GenesisSql = """INSERT INTO "AuditChainHeads" ("Id", "Seq", "Hash") VALUES (1, 0, $1) ON CONFLICT ("Id") DO NOTHING""";

    // the hash is AuditChain.Hash computed by PostgreSQL ($1 is the content after the seq, see Tail), so that no
    // client round trip happens while the head is locked; the caller checks it against Hash all the same
    internal const string AppendSql = """
        WITH head AS (SELECT "Seq" + 1 AS seq, "Hash" AS prev FROM "AuditChainHeads" WHERE "Id" = 1 FOR UPDATE),
        sealed AS (SELECT seq, prev, sha256(prev || int8send(seq) || convert_to(seq::text, 'UTF8') || $1) AS hash FROM head),
        moved AS (UPDATE "AuditChainHeads" SET "Seq" = sealed.seq, "Hash" = sealed.hash FROM sealed WHERE "Id" = 1)
        INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
            "Outcome", "Status", "IpAddressSealed", "CorrelationId", "Reason", "PrevHash", "Hash")
        SELECT seq, $2::timestamptz, $3::text, $4::text, $5::uuid, $6::text, $7::text, $8::text, $9::text, $10::integer,
            $11::bytea, $12::text, $13::text, prev, hash FROM sealed
        RETURNING "Seq", "PrevHash", "Hash"
        """;

    /// <summary>Appends the events in one batch; false if there is no head to chain to (nothing was written).</summary>
    private static async Task<bool> AppendAsync(StewardDb db, List<AuditEvent> events, CancellationToken ct)
    {
        await using var batch = db.Database.GetDbConnection().CreateBatch();
        batch.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var e in events)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = AppendSql;
            var values = AppendValues(e);
            for (var p = 0; p < values.Length; p++)
            {
                var parameter = Parameter(command.CreateParameter(), values[p]);
                parameter.DbType = AppendTypes[p];
                command.Parameters.Add(parameter);
            }
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var i = 0;
        do
        {
            if (!await reader.ReadAsync(ct)) return false;
            Appended(reader, events[i++]);
        } while (await reader.NextResultAsync(ct));
        return i == events.Count;
    }

    /// <summary>Gives the event the place in the chain that <see cref="AppendSql"/> answered, checked against the chain's rule.</summary>
    internal static AuditEvent Appended(DbDataReader reader, AuditEvent e)
    {
        e.Seq = reader.GetInt64(0);
        e.PrevHash = (byte[])reader.GetValue(1);
        e.Hash = (byte[])reader.GetValue(2);
        if (!e.Hash.AsSpan().SequenceEqual(Hash(e)))
            throw new InvalidOperationException("The database chained an audit event to a hash other than the chain's rule gives.");
        return e;
    }

    /// <summary>The types of <see cref="AppendSql"/>'s parameters, $1 to $13: a null value has none of its own.</summary>
    internal static readonly DbType[] AppendTypes =
    [
        DbType.Binary, DbType.DateTimeOffset, DbType.String, DbType.String, DbType.Guid, DbType.String, DbType.String, DbType.String,
        DbType.String, DbType.Int32, DbType.Binary, DbType.String, DbType.String,
    ];

    /// <summary>The values of <see cref="AppendSql"/>'s parameters for this event, $1 to $13.</summary>
    internal static object?[] AppendValues(AuditEvent e) =>
    [
        Encoding.UTF8.GetBytes(Tail(e)), e.At, e.ActorType, e.ActorId, e.ClientId, e.Action, e.ResourceType, e.ResourceId, e.Outcome,
        e.Status, e.IpAddressSealed, e.CorrelationId, e.Reason,
    ];

    private static DbParameter Parameter(DbParameter parameter, object? value)
    {
        parameter.Value = value ?? DBNull.Value;
        return parameter;
    }

    /// <summary>The unit of work's events not yet in the chain, in recorded order.</summary>
    private static List<AuditEvent> Pending(StewardDb db)
    {
        // events are only ever added by Add (AuditLog), which the tracker knows without a scan: SaveChanges scans once
        var tracker = db.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return [.. tracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)
                .OrderByDescending(e => e.Seq)]; // -1, -2, …: recorded order
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    public static byte[] Hash(AuditEvent e)
    {
        var content = Encoding.UTF8.GetBytes(e.Seq.ToString(CultureInfo.InvariantCulture) + Tail(e));
        var buffer = new byte[32 + 8 + content.Length];
        e.PrevHash.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(32), e.Seq);
        content.CopyTo(buffer, 40);
        return SHA256.HashData(buffer);
    }

    /// <summary>The hashed text after the seq: the fields, each after a unit separator.</summary>
    private static string Tail(AuditEvent e)
    {
        var text = '\u001f' + string.Join('\u001f', e.At.ToUnixTimeMilliseconds(), e.ActorType, e.ActorId, e.ClientId, e.Action,
            e.ResourceType, e.ResourceId, e.Outcome, e.Status, e.CorrelationId,
            e.IpAddressSealed is null ? "" : Convert.ToBase64String(e.IpAddressSealed));
        // added later: absent from events without a reason, whose hashes therefore did not change
        return e.Reason is null ? text : text + '\u001f' + e.Reason;
    }
}

/// <summary>
/// SQLite: the chain's statements on one connection. A unit of work makes them for its commit
/// (<see cref="AuditChain.SaveAndAppendAsync"/>); <see cref="AuditAppender"/> holds them prepared.
/// </summary>
internal sealed class SqliteChain : IDisposable
{
    // EF Core's SQLite columns hold DateTimeOffset as binary ticks (SqliteStewardDb)
    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    private readonly SqliteCommand _head;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _move;

    /// <param name="prepare">Prepare the statements now, for a connection that keeps them (each is prepared at its first run anyway).</param>
    public SqliteChain(SqliteConnection connection, bool prepare = false)
    {
        SqliteCommand Command(string sql, params string[] parameters)
        {
            var command = (SqliteCommand)SqlStore.Command(connection, sql, null, [.. parameters.Select(name => (name, (object?)null))]);
            if (prepare) command.Prepare();
            return command;
        }
        _head = Command("""SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1""");
        _insert = Command("""
            INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                "Outcome", "Status", "IpAddressSealed", "CorrelationId", "Reason", "PrevHash", "Hash")
            VALUES (@seq, @at, @actorType, @actorId, @clientId, @action, @resourceType, @resourceId,
                @outcome, @status, @ip, @correlationId, @reason, @prev, @hash)
            """, "@seq", "@at", "@actorType", "@actorId", "@clientId", "@action", "@resourceType", "@resourceId",
            "@outcome", "@status", "@ip", "@correlationId", "@reason", "@prev", "@hash");
        // the head row of a chain that never started is made here too
        _move = Command("""
            INSERT INTO "AuditChainHeads" ("Id", "Seq", "Hash") VALUES (1, @seq, @hash)
                ON CONFLICT ("Id") DO UPDATE SET "Seq" = excluded."Seq", "Hash" = excluded."Hash"
            """, "@seq", "@hash");
    }

    /// <summary>In <paramref name="transaction"/>: the head as stored, the events chained to it in order and inserted, the head moved.</summary>
    public void Append(IReadOnlyList<AuditEvent> events, SqliteTransaction? transaction)
    {
        _head.Transaction = _insert.Transaction = _move.Transaction = transaction;
        var (seq, hash) = (0L, AuditChain.Genesis);
        using (var reader = _head.ExecuteReader())
            if (reader.Read()) (seq, hash) = (reader.GetInt64(0), (byte[])reader.GetValue(1));
        foreach (var e in events)
        {
            (e.Seq, e.PrevHash) = (seq + 1, hash);
            e.Hash = AuditChain.Hash(e);
            Bind(_insert, e.Seq, SqliteTime.ConvertToProvider(e.At), e.ActorType, e.ActorId, e.ClientId, e.Action, e.ResourceType,
                e.ResourceId, e.Outcome, e.Status, e.IpAddressSealed, e.CorrelationId, e.Reason, e.PrevHash, e.Hash);
            _insert.ExecuteNonQuery();
            (seq, hash) = (e.Seq, e.Hash);
        }
        Bind(_move, seq, hash);
        _move.ExecuteNonQuery();
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
    }
}
