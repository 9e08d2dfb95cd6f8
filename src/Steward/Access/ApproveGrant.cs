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
        switch (by.Role)
        {
            case Roles.Ceo when grant.CeoApprovedBy is null:
                if (grant.DpoApprovedBy == by.StaffId) return Errors.Forbidden("The two approvals must come from two different people.");
                grant.CeoApprovedBy = by.StaffId;
                grant.CeoApprovedAt = now;
                break;
            case Roles.Dpo when grant.DpoApprovedBy is null:
                if (grant.CeoApprovedBy == by.StaffId) return Errors.Forbidden("The two approvals must come from two different people.");
                grant.DpoApprovedBy = by.StaffId;
                grant.DpoApprovedAt = now;
                break;
            case Roles.Ceo or Roles.Dpo:
                return Errors.Conflict($"The {by.Role} approval is already given.");
            default:
                return Errors.Forbidden("Only a CEO and a DPO approve grants.");
        }
        var outcome = "ApproveGrant";
        if (grant is { CeoApprovedBy: not null, DpoApprovedBy: not null })
        {
            var member = await db.StaffMembers.AsNoTracking().SingleAsync(s => s.Id == grant.StaffId, ct);
            if (member.DisabledAt is not null) return Errors.Conflict("The person's account is disabled.");
            if (!RecordOnboarding.IsOnboarded(member))
                return Errors.Conflict("The person's data-handling training, confidentiality undertaking and DPA briefing must be recorded first (G-08).");
            grant.ActiveFrom = now;
            grant.NextReviewAt = now + options.Value.GrantReviewInterval;
            outcome = "ActivateGrant";
        }
        await audit.RecordAsync(db, outcome, "grant", grant.Id.ToString(), ct, grant.ClientId);
        await write.CommitAsync(ct);
        return GrantView.Of(grant, now);
    }
}
