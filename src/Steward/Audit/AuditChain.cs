using System.Buffers.Binary;
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

    /// <summary>Gives pending events their place in the chain, holding the chain head's lock to commit.</summary>
    public static async Task SealPendingAsync(StewardDb db, CancellationToken ct)
    {
        // events are only ever added by Add (AuditLog), which the tracker knows without a scan: SaveChanges scans once
        var tracker = db.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        List<AuditEvent> pending;
        EntityEntry<AuditChainHead>? tracked;
        try
        {
            pending = [.. tracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)
                .OrderByDescending(e => e.Seq)]; // -1, -2, …: recorded order
            tracked = pending.Count > 0 ? tracker.Entries<AuditChainHead>().FirstOrDefault() : null;
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
        if (pending.Count == 0) return;

        // PostgreSQL: the row lock orders writers across nodes; SQLite: the write gate already does
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
        var text = string.Join('\u001f', e.Seq, e.At.ToUnixTimeMilliseconds(), e.ActorType, e.ActorId, e.ClientId, e.Action,
            e.ResourceType, e.ResourceId, e.Outcome, e.Status, e.CorrelationId,
            e.IpAddressSealed is null ? "" : Convert.ToBase64String(e.IpAddressSealed));
        // added later: absent from events without a reason, whose hashes therefore did not change
        if (e.Reason is not null) text += '\u001f' + e.Reason;
        var content = Encoding.UTF8.GetBytes(text);
        var buffer = new byte[32 + 8 + content.Length];
        e.PrevHash.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(32), e.Seq);
        content.CopyTo(buffer, 40);
        return SHA256.HashData(buffer);
    }
}
