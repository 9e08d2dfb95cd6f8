using Microsoft.EntityFrameworkCore;
using Steward.Contacts;
using Steward.Data;

namespace Steward.Crypto;

/// <summary>
/// Applies the forget ledger to the data and the key vault: finishes erasures a crash cut short, and erases again
/// whoever a restored backup brought back. Runs before the service opens. Idempotent.
/// </summary>
public sealed class ReplayForgetLedger(StewardDb db, KeyVault vault, ForgetLedger ledger, TimeProvider clock)
{
    /// <summary>Erasures still in flight on another node when the checkpoint moved are caught by this overlap.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromHours(1);

    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var checkpoint = await db.LedgerCheckpoints.SingleOrDefaultAsync(c => c.Id == 1, ct);
        var since = checkpoint is null ? DateTimeOffset.UnixEpoch : checkpoint.ReplayedThrough - Overlap;
        var startedAt = clock.GetUtcNow();
        var replayed = 0;
        var batch = new List<ForgetLedger.Entry>(500);
        await foreach (var entry in ledger.ReadSinceAsync(since, ct))
        {
            batch.Add(entry);
            if (batch.Count == 500) replayed += await ApplyAsync(batch, ct);
        }
        replayed += await ApplyAsync(batch, ct);

        if (checkpoint is null) db.LedgerCheckpoints.Add(new LedgerCheckpoint { Id = 1, ReplayedThrough = startedAt });
        else checkpoint.ReplayedThrough = startedAt;
        await db.SaveChangesAsync(ct);
        return replayed;
    }

    private async Task<int> ApplyAsync(List<ForgetLedger.Entry> batch, CancellationToken ct)
    {
        foreach (var client in batch.Where(e => e.Kind == ForgetLedger.ContactKind).GroupBy(e => e.ClientId))
        {
            var ids = client.Select(e => e.SubjectId).ToList();
            await vault.DestroyAsync(client.Key, ids, ct);
            await using var write = await db.BeginWriteAsync(ct);
            await EraseContact.DeleteRowsAsync(db, client.Key, ids, ct);
            await write.CommitAsync(ct);
        }
        foreach (var (client, erasedAt) in batch.Where(e => e.Kind == ForgetLedger.ClientKind).GroupBy(e => e.ClientId).Select(g => (g.Key, g.Min(e => e.ErasedAt))))
        {
            // as the purge itself: the keys of requests a sub-processor still has to be sent outlive it (P-09)
            await vault.DestroyClientAsync(client, ct, Retention.PurgeClient.VendorRequestKeys(db, client));
            await using var write = await db.BeginWriteAsync(ct);
            await Retention.PurgeClient.DeleteRowsAsync(db, client, ct);
            // a purge a crash cut short after its ledger entry is finished here, so it gets its date here too
            await db.Clients.Where(c => c.Id == client).ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, Clients.ClientLifecycle.Purged)
                .SetProperty(c => c.PurgedAt, c => c.PurgedAt ?? erasedAt), ct);
            await write.CommitAsync(ct);
        }
        var count = batch.Count;
        batch.Clear();
        return count;
    }
}
