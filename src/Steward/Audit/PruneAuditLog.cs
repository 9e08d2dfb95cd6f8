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
/// </summary>
public sealed class PruneAuditLog(StewardDb db, AuditLog audit, IOptions<AuditOptions> options, TimeProvider clock)
{
    public const string Action = "PruneAuditLog";

    public sealed record Report(long Removed, long? CheckpointSeq);

    public async Task<Report> HandleAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().AddMonths(-options.Value.RetentionMonths);
        await using var write = await db.BeginWriteAsync(ct);
        var last = await db.AuditEvents.AsNoTracking().Where(e => e.At < cutoff).OrderByDescending(e => e.Seq)
            .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
        if (last is null) return new Report(0, null);

        var checkpoint = await db.AuditCheckpoints.SingleOrDefaultAsync(c => c.Id == 1, ct);
        if (checkpoint is null) db.AuditCheckpoints.Add(checkpoint = new AuditCheckpoint { Id = 1 });
        checkpoint.Seq = last.Seq;
        checkpoint.Hash = last.Hash;
        checkpoint.RemovedBefore = cutoff;
        await db.SaveChangesAsync(ct); // the guard reads the checkpoint inside this transaction
        var removed = await db.AuditEvents.Where(e => e.Seq <= last.Seq).ExecuteDeleteAsync(ct);
        await audit.RecordAsync(db, Action, "audit-checkpoint", last.Seq.ToString(CultureInfo.InvariantCulture), ct);
        await write.CommitAsync(ct);
        return new Report(removed, last.Seq);
    }
}
