using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>A CEO or DPO revokes a grant: it stops working on the next request (the tenant gate reads grants live).</summary>
public sealed class RevokeGrant(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public async Task<Result<GrantView>> HandleAsync(StaffPrincipal by, Guid grantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var grant = await db.AccessGrants.SingleOrDefaultAsync(g => g.Id == grantId, ct);
        if (grant is null) return Errors.NotFound("grant");
        if (grant.RevokedAt is not null) return Errors.Conflict("The grant is already revoked.");
        grant.RevokedAt = now;
        grant.RevokedBy = by.StaffId;
        await audit.RecordAsync(db, "RevokeGrant", "grant", grant.Id.ToString(), ct, grant.ClientId);
        await write.CommitAsync(ct);
        return GrantView.Of(grant, now);
    }
}

/// <summary>The grants, newest first: for the CEO's and the DPO's periodic access review (G-40).</summary>
public sealed class ListGrants(StewardDb db, TimeProvider clock)
{
    public async Task<List<GrantView>> HandleAsync(Guid? staffId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var grants = await db.AccessGrants.AsNoTracking().Where(g => staffId == null || g.StaffId == staffId)
            .OrderByDescending(g => g.RequestedAt).Take(1000).ToListAsync(ct);
        return grants.Select(g => GrantView.Of(g, now)).ToList();
    }
}

/// <summary>
/// Grants are re-reviewed on a schedule (P-16, G-40). The job reminds the CEOs and DPOs of each grant that is due,
/// once per due date; reviewing a grant (keeping it) schedules the next review.
/// </summary>
public sealed class ReviewGrants(StewardDb db, StaffDirectory directory, Notifications.Notifier notifier, AuditLog audit,
    IOptions<AccessOptions> options, TimeProvider clock)
{
    public async Task<int> RemindDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var due = await db.AccessGrants.Where(g => g.RevokedAt == null && g.ActiveFrom != null && g.NextReviewAt <= now
            && (g.ReviewRemindedAt == null || g.ReviewRemindedAt < g.NextReviewAt)).ToListAsync(ct);
        due = due.Where(g => g.Status(now) == "active").ToList();
        if (due.Count == 0) return 0;
        var to = await directory.GovernanceEmailsAsync(ct);
        foreach (var grant in due)
        {
            grant.ReviewRemindedAt = now;
            foreach (var address in to)
                await notifier.EnqueueAsync(db, new Notifications.Notifier.Message("grant-review", grant.ClientId, address,
                    $"[Steward] Access grant {grant.Id} is due for review",
                    $"""
                    The access grant {grant.Id} (staff {grant.StaffId}, client {grant.ClientId?.ToString() ?? "all clients"}, rights {grant.Rights})
                    was due for review on {grant.NextReviewAt:u}. Keep it (POST /v1/access-grants/{grant.Id}/review) or revoke it.
                    """), ct);
            await audit.RecordAsync(db, "RemindGrantReview", "grant", grant.Id.ToString(), ct, grant.ClientId);
        }
        await write.CommitAsync(ct);
        return due.Count;
    }

    public async Task<Result<GrantView>> KeepAsync(Guid grantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var grant = await db.AccessGrants.SingleOrDefaultAsync(g => g.Id == grantId, ct);
        if (grant is null) return Errors.NotFound("grant");
        if (grant.Status(now) != "active") return Errors.Conflict($"The grant is {grant.Status(now)}: only an active grant is reviewed.");
        grant.NextReviewAt = now + options.Value.GrantReviewInterval;
        await audit.RecordAsync(db, "ReviewGrant", "grant", grant.Id.ToString(), ct, grant.ClientId);
        await write.CommitAsync(ct);
        return GrantView.Of(grant, now);
    }
}
