using Microsoft.EntityFrameworkCore;

namespace Steward.Data;

/// <summary>
/// One scheduled job's next run, shared by every node on the database: a node runs the job only when its
/// conditional UPDATE moves <see cref="NextRunAt"/> on (one row affected), so each schedule runs once across nodes.
/// </summary>
public sealed class JobLease
{
    public required string Name { get; set; }
    public DateTimeOffset NextRunAt { get; set; }
    /// <summary>The node that claimed the latest run, for operators.</summary>
    public string? HeldBy { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<JobLease>(e =>
    {
        e.HasKey(j => j.Name);
        e.Property(j => j.Name).HasMaxLength(100);
        e.Property(j => j.HeldBy).HasMaxLength(200);
    });

    /// <summary>
    /// The run due now for <paramref name="name"/>, if this node wins it: the next one is moved <paramref name="every"/>
    /// ahead in the same statement. A node that died mid-run loses only that run; the next is due on time for any node.
    /// </summary>
    public static async Task<bool> TryClaimAsync(StewardDb db, string name, TimeSpan every, bool runAtStart, string node, DateTimeOffset now, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct); // on SQLite the in-process writer queue; the UPDATE decides
        if (!await db.JobLeases.AnyAsync(j => j.Name == name, ct))
        {
            db.JobLeases.Add(new JobLease { Name = name, NextRunAt = runAtStart ? now : now + every });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // another node inserted it first (PostgreSQL's transaction is now aborted): its row rules, try next tick
                return false;
            }
        }
        var won = await db.JobLeases.Where(j => j.Name == name && j.NextRunAt <= now).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.NextRunAt, now + every).SetProperty(j => j.HeldBy, node).SetProperty(j => j.ClaimedAt, now), ct) == 1;
        await write.CommitAsync(ct);
        return won;
    }
}
