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
        var pending = db.ChangeTracker.Entries<AuditEvent>()
            .Where(e => e.State == EntityState.Added).Select(e => e.Entity).OrderByDescending(e => e.Seq).ToList(); // -1, -2, …: recorded order
        if (pending.Count == 0) return;

        var tracked = db.ChangeTracker.Entries<AuditChainHead>().Any();
        // PostgreSQL: the row lock orders writers across nodes; SQLite: the write gate already does
        var head = db.IsSqlite
            ? await db.AuditChainHeads.SingleOrDefaultAsync(h => h.Id == 1, ct)
            : await db.AuditChainHeads.FromSql($"""SELECT * FROM "AuditChainHeads" WHERE "Id" = 1 FOR UPDATE""").SingleOrDefaultAsync(ct);
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
