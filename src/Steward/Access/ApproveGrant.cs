using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// A CEO or a DPO approves a grant, each in the slot of their role. With both slots filled by two different people,
/// and the person's onboarding still on record (P-17), the grant takes effect and its first review is scheduled.
/// </summary>
public sealed class ApproveGrant(StewardDb db, AuditLog audit, IOptions<AccessOptions> options, TimeProvider clock)
{
    public async Task<Result<GrantView>> HandleAsync(StaffPrincipal by, Guid grantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var grant = await db.AccessGrants.SingleOrDefaultAsync(g => g.Id == grantId, ct);
        if (grant is null) return Errors.NotFound("grant");
        if (grant.Status(now) != "pending") return Errors.Conflict($"The grant is {grant.Status(now)}: only a pending grant can be approved.");
        if (grant.StaffId == by.StaffId) return Errors.Forbidden("Nobody approves their own access.");
        if (DualApproval.Approve(grant, by, now, "grants") is { } refused) return refused;
        var outcome = "ApproveGrant";
        if (DualApproval.IsComplete(grant))
        {
            var member = await db.StaffMembers.AsNoTracking().SingleAsync(s => s.Id == grant.StaffId, ct);
            if (member.DisabledAt is not null) return Errors.Conflict("The person's account is disabled.");
            if (!RecordOnboarding.IsOnboarded(member, options.Value.GuidelinesVersion)) return Errors.Conflict(RecordOnboarding.Missing);
            grant.ActiveFrom = now;
            grant.NextReviewAt = now + options.Value.GrantReviewInterval;
            outcome = "ActivateGrant";
        }
        await audit.RecordAsync(db, outcome, "grant", grant.Id.ToString(), ct, grant.ClientId);
        await write.CommitAsync(ct);
        return GrantView.Of(grant, now);
    }
}
