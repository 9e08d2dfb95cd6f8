using System.Buffers.Binary;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;
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
    /// SQLite: gives pending events their place in the chain; the write gate orders writers, and the events are
    /// then saved with the rest of the unit of work.
    /// </summary>
    public static async Task SealPendingAsync(StewardDb db, CancellationToken ct)
    {
        var (pending, tracked) = Pending(db);
        if (pending.Count == 0) return;

        var found = await ReadHeadAsync(db, ct);
        AuditChainHead head;
        if (tracked is not null)
        {
            // a context that committed before still tracks the head as it left it: another writer may have moved
            // it since, so it takes the values just read (under the lock/gate)
            head = tracked.Entity;
            if (found is { } row)
            {
                tracked.CurrentValues.SetValues(new AuditChainHead { Id = 1, Seq = row.Seq, Hash = row.Hash });
                tracked.OriginalValues.SetValues(tracked.CurrentValues);
                tracked.State = EntityState.Unchanged;
            }
            else if (tracked.State == EntityState.Added)
            {
                // added by an attempt that did not commit: still the genesis
                head.Seq = 0;
                head.Hash = Genesis;
            }
        }
        else if (found is { } row)
        {
            head = new AuditChainHead { Id = 1, Seq = row.Seq, Hash = row.Hash };
            db.AuditChainHeads.Attach(head);
        }
        else
        {
            head = new AuditChainHead { Id = 1, Seq = 0, Hash = Genesis };
            db.AuditChainHeads.Add(head);
        }
        foreach (var e in pending)
        {
            e.Seq = head.Seq + 1;
            e.PrevHash = head.Hash;
            e.Hash = Hash(e);
            head.Seq = e.Seq;
            head.Hash = e.Hash;
        }
    }

    /// <summary>
    /// PostgreSQL: saves the unit of work, then appends its events last, each with one statement that locks the
    /// chain head, chains the event to it and moves it, all sent in one round trip. The head's row lock, which orders
    /// writers across processes, is then held for that round trip and the commit only, not for the unit of work's
    /// own writes, so that concurrent writers' commits overlap as far as the chain allows.
    /// </summary>
    public static async Task SaveAndAppendAsync(StewardDb db, CancellationToken ct)
    {
        var (pending, _) = Pending(db);
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
            if (!await AppendAsync(db, pending, ct))
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

    /// <summary>The unit of work's events not yet in the chain, in recorded order, and the head it tracks if any.</summary>
    private static (List<AuditEvent>, EntityEntry<AuditChainHead>?) Pending(StewardDb db)
    {
        // events are only ever added by Add (AuditLog), which the tracker knows without a scan: SaveChanges scans once
        var tracker = db.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            List<AuditEvent> pending = [.. tracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)
                .OrderByDescending(e => e.Seq)]; // -1, -2, …: recorded order
            return (pending, pending.Count > 0 ? tracker.Entries<AuditChainHead>().FirstOrDefault() : null);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>
    /// The head as stored, read by plain ADO.NET on the unit of work's own connection and transaction: it is read
    /// on every commit, inside the write gate or the row lock, where EF Core's query pipeline cost more than the read.
    /// </summary>
    private static async Task<(long Seq, byte[] Hash)?> ReadHeadAsync(StewardDb db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = db.IsSqlite
                ? """SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1"""
                : """SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1 FOR UPDATE""";
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? (reader.GetInt64(0), (byte[])reader.GetValue(1)) : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
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
