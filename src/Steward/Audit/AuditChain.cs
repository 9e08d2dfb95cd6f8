using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
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
        bool tracked;
        try
        {
            pending = [.. tracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)
                .OrderByDescending(e => e.Seq)]; // -1, -2, …: recorded order
            tracked = pending.Count > 0 && tracker.Entries<AuditChainHead>().Any();
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
        if (pending.Count == 0) return;

        // PostgreSQL: the row lock orders writers across nodes; SQLite: the write gate already does
        var head = db.IsSqlite ? await ReadHead(db, ct) : await LockHead(db, ct);
        // a context that committed before still tracks the head as it left it, and a tracking query does not
        // refresh a tracked row: another writer may have moved it since, so read it again (under the lock/gate)
        if (head is not null && tracked) await db.Entry(head).ReloadAsync(ct);
        if (head is null)
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

    // compiled: read on every commit, where the query pipeline cost more than the read
    private static readonly Func<StewardDb, CancellationToken, Task<AuditChainHead?>> ReadHead = EF.CompileAsyncQuery(
        (StewardDb db, CancellationToken ct) => db.AuditChainHeads.SingleOrDefault(h => h.Id == 1));

    private static readonly Func<StewardDb, CancellationToken, Task<AuditChainHead?>> LockHead = EF.CompileAsyncQuery(
        (StewardDb db, CancellationToken ct) => db.AuditChainHeads.FromSqlRaw("""SELECT * FROM "AuditChainHeads" WHERE "Id" = 1 FOR UPDATE""").SingleOrDefault());

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
