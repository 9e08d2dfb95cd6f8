using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Audit;

/// <summary>Steward:Audit: how long access events are kept (G-47: six months by default).</summary>
public sealed class AuditOptions
{
    public int RetentionMonths { get; set; } = 6;
}

/// <summary>
/// Removes the audit events older than the retention (G-47, P-22), oldest first, as one prefix of the chain. The last
/// removed event's sequence number and hash become the checkpoint the kept chain is verified from, and the removal
/// itself is a new event in the chain naming that checkpoint: a checkpoint moved by hand is not vouched for by one.
/// The database lets only events at or before the checkpoint be deleted (<see cref="Migrate"/>).
/// The keys that sealed the IP addresses (one per month, <see cref="AuditKeys"/>) of every month wholly before the
/// cutoff are destroyed too: the pseudonymised addresses of any copy (a backup) can no longer be read.
/// </summary>
public sealed class PruneAuditLog(StewardDb db, AuditLog audit, AuditKeys keys, IOptions<AuditOptions> options, TimeProvider clock)
{
    public const string Action = "PruneAuditLog";

    public sealed record Report(long Removed, long? CheckpointSeq, int KeysDestroyed = 0);

    public async Task<Report> HandleAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().AddMonths(-options.Value.RetentionMonths);
        await using var write = await db.BeginWriteAsync(ct);
        var checkpoint = await db.AuditCheckpoints.SingleOrDefaultAsync(c => c.Id == 1, ct);
        var oldest = checkpoint?.KeysDestroyedBefore
            ?? await db.AuditEvents.AsNoTracking().OrderBy(e => e.Seq).Select(e => (DateTimeOffset?)e.At).FirstOrDefaultAsync(ct);
        var last = await db.AuditEvents.AsNoTracking().Where(e => e.At < cutoff).OrderByDescending(e => e.Seq)
            .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
        if (last is null) return new Report(0, null, await DestroyKeysAsync(write, checkpoint, oldest, cutoff, ct));

        if (checkpoint is null) db.AuditCheckpoints.Add(checkpoint = new AuditCheckpoint { Id = 1 });
        checkpoint.Seq = last.Seq;
        checkpoint.Hash = last.Hash;
        checkpoint.RemovedBefore = cutoff;
        await db.SaveChangesAsync(ct); // the guard reads the checkpoint inside this transaction
        var removed = await db.AuditEvents.Where(e => e.Seq <= last.Seq).ExecuteDeleteAsync(ct);
        await audit.RecordAsync(db, Action, "audit-checkpoint", last.Seq.ToString(CultureInfo.InvariantCulture), ct);
        var destroyed = await DestroyKeysAsync(write, checkpoint, oldest, cutoff, ct);
        if (destroyed == 0) await write.CommitAsync(ct);
        return new Report(removed, last.Seq, destroyed);
    }

    /// <summary>Destroys the month keys from the oldest kept one up to the cutoff's month, and commits when it destroyed any.</summary>
    private async Task<int> DestroyKeysAsync(WriteScope write, AuditCheckpoint? checkpoint, DateTimeOffset? oldest, DateTimeOffset cutoff, CancellationToken ct)
    {
        static DateTimeOffset MonthOf(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        if (checkpoint is null || oldest is null) return 0;
        var months = new List<DateTimeOffset>();
        for (var month = MonthOf(oldest.Value); month < MonthOf(cutoff); month = month.AddMonths(1)) months.Add(month);
        if (months.Count == 0) return 0;
        await keys.DestroyAsync(months, ct);
        checkpoint.KeysDestroyedBefore = MonthOf(cutoff);
        await audit.RecordAsync(db, "DestroyAuditKeys", "audit-keys", $"{months[0]:yyyy-MM}..{months[^1]:yyyy-MM}", ct);
        await write.CommitAsync(ct);
        return months.Count;
    }
}
