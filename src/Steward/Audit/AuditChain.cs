using System.Buffers.Binary;
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
    /// Saves the unit of work, then writes its events last, in its transaction.
    /// SQLite: the write gate orders writers; the head is read, the events chained and inserted and the head moved by
    /// plain commands (<see cref="SqliteChain"/>): through EF Core's save pipeline these two rows cost more than their
    /// statements, inside the gate every writer waits on.
    /// PostgreSQL: the events are inserted as pending, under no shared lock; once the transaction has committed,
    /// <see cref="WriteScope"/> waits for <see cref="PostgresChain"/> to chain them. True if there are some to chain.
    /// </summary>
    public static async Task<bool> SaveAndAppendAsync(StewardDb db, CancellationToken ct)
    {
        var pending = Pending(db);
        // SaveChanges must not insert them: they are inserted by the append, with their place in the chain;
        // PostgreSQL's pending rows go with the change, in SaveChanges' own batch (their temporary keys keep this order)
        foreach (var e in pending) db.Entry(e).State = EntityState.Detached;
        var unit = Guid.CreateVersion7();
        List<PendingAuditEvent> queued = db.IsSqlite ? [] : [.. pending.Select(e => new PendingAuditEvent(e, unit))];
        db.AddRange(queued);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            // as before the save: still pending in this context
            foreach (var q in queued) db.Entry(q).State = EntityState.Detached;
            foreach (var e in pending) db.AuditEvents.Add(e);
            throw;
        }
        foreach (var q in queued) db.Entry(q).State = EntityState.Detached;
        if (!db.IsSqlite || pending.Count == 0) return queued.Count > 0;

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            using var chain = new SqliteChain((SqliteConnection)db.Database.GetDbConnection());
            chain.Append(pending, (SqliteTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
            return false;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
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
