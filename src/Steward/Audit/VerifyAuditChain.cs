using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Audit;

/// <summary>
/// Re-hashes the whole kept chain: a changed, removed or reordered event is named by its sequence number. After
/// retention has removed old events, the chain starts from the checkpoint, which a removal event must vouch for.
/// </summary>
public sealed class VerifyAuditChain(StewardDb db)
{
    public sealed record Report(bool Intact, long Events, long? FirstBadSeq, string? Problem);

    public async Task<Report> HandleAsync(CancellationToken ct, IProgress<long>? progress = null)
    {
        // PostgreSQL: events a process committed but did not live to chain are chained first, so that they are verified
        if (!db.IsSqlite) await PostgresChain.For(db.Database.GetConnectionString()!).ChainAsync(ct: ct);
        var checkpoint = await db.AuditCheckpoints.AsNoTracking().SingleOrDefaultAsync(c => c.Id == 1, ct);
        var previousHash = checkpoint?.Hash ?? AuditChain.Genesis;
        long? previousSeq = checkpoint?.Seq;
        var vouched = checkpoint is null;
        var vouch = checkpoint?.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        long count = 0;
        await foreach (var e in db.AuditEvents.AsNoTracking().OrderBy(a => a.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            if (count % 10_000 == 0) progress?.Report(count);
            if (previousSeq is { } p ? e.Seq != p + 1 : e.Seq != 1)
                return new(false, count, (previousSeq ?? 0) + 1, $"event {(previousSeq ?? 0) + 1} is missing (the chain jumps from {previousSeq ?? 0} to {e.Seq})");
            if (!e.PrevHash.AsSpan().SequenceEqual(previousHash))
                return new(false, count, e.Seq, $"event {e.Seq} does not follow the event before it");
            if (!AuditChain.Hash(e).AsSpan().SequenceEqual(e.Hash))
                return new(false, count, e.Seq, $"event {e.Seq} was changed after it was written");
            vouched |= e.Action == PruneAuditLog.Action && e.ResourceId == vouch;
            previousHash = e.Hash;
            previousSeq = e.Seq;
        }
        var head = await db.AuditChainHeads.AsNoTracking().SingleOrDefaultAsync(h => h.Id == 1, ct);
        if (head is not null && (head.Seq != (previousSeq ?? 0) || !head.Hash.AsSpan().SequenceEqual(previousHash)))
            return new(false, count, (previousSeq ?? 0) + 1, $"the chain ends at event {previousSeq ?? 0} but its head says {head.Seq}: events were removed from the end");
        if (!vouched)
            return new(false, count, checkpoint!.Seq, $"the chain starts after event {checkpoint.Seq}, but no removal event in it vouches for that checkpoint");
        return new(true, count, null, null);
    }
}
