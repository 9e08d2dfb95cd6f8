using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// Offboarding (P-18): the DPO (or CEO) disables a person. In one transaction every session ends and every grant
/// is revoked; authentication reads both on every request, so the very next request is refused — no grace.
/// </summary>
public sealed class DisableStaff(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record Response(Guid StaffId, DateTimeOffset DisabledAt, int SessionsEnded, int GrantsRevoked);

    public async Task<Result<Response>> HandleAsync(StaffPrincipal by, Guid staffId, CancellationToken ct)
    {
        if (by.StaffId == staffId) return Errors.Conflict("Nobody disables their own account: ask the DPO or the CEO.");
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var member = await db.StaffMembers.SingleOrDefaultAsync(s => s.Id == staffId, ct);
        if (member is null) return Errors.NotFound("staff member");
        if (member.DisabledAt is not null) return Errors.Conflict("The account is already disabled.");
        member.DisabledAt = now;
        member.DisabledBy = by.StaffId;
        member.InvitationHash = null;
        var sessions = await db.StaffSessions.Where(s => s.StaffId == staffId && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
        var grants = await db.AccessGrants.Where(g => g.StaffId == staffId && g.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, now).SetProperty(g => g.RevokedBy, by.StaffId), ct);
        await db.ActionApprovals.Where(a => a.StaffId == staffId && a.UsedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.ExpiresAt, now), ct);
        await audit.RecordAsync(db, "DisableStaff", "staff", member.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(member.Id, now, sessions, grants);
    }
}
