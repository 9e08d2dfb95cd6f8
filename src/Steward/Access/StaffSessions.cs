using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>A staff member sees their live sessions and ends any of them (ASVS V3.3.4); signing out ends the current one.</summary>
public sealed class ManageSessions(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record SessionView(Guid Id, string Channel, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, bool Current);

    public async Task<List<SessionView>> ListAsync(StaffPrincipal staff, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var sessions = await db.StaffSessions.AsNoTracking()
            .Where(s => s.StaffId == staff.StaffId && s.EndedAt == null && s.ExpiresAt > now)
            .OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return sessions.Select(s => new SessionView(s.Id, s.Channel, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.Id == staff.SessionId)).ToList();
    }

    public async Task<Result<SessionView>> EndAsync(StaffPrincipal staff, Guid sessionId, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var session = await db.StaffSessions.SingleOrDefaultAsync(s => s.Id == sessionId && s.StaffId == staff.StaffId && s.EndedAt == null, ct);
        if (session is null) return Errors.NotFound("session");
        session.EndedAt = clock.GetUtcNow();
        await audit.RecordAsync(db, "EndStaffSession", "session", session.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new SessionView(session.Id, session.Channel, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, session.Id == staff.SessionId);
    }
}
