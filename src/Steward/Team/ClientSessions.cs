using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Team;

/// <summary>
/// A team member sees their live sessions and ends any of them (ASVS V3.3.4), as staff do (<see cref="Access.ManageSessions"/>).
/// Authentication reads the session on every request, so an ended one is refused on its very next request.
/// </summary>
public sealed class ManageClientSessions(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record SessionView(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, bool Current);

    public async Task<List<SessionView>> ListAsync(ClientCaller me, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var sessions = await db.ClientSessions.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.ClientId == me.ClientId && s.UserId == me.UserId && s.EndedAt == null && s.ExpiresAt > now)
            .OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return sessions.Select(s => new SessionView(s.Id, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.Id == me.SessionId)).ToList();
    }

    public async Task<Result<SessionView>> EndAsync(ClientCaller me, Guid sessionId, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var session = await db.ClientSessions.IgnoreQueryFilters()
            .SingleOrDefaultAsync(s => s.Id == sessionId && s.ClientId == me.ClientId && s.UserId == me.UserId && s.EndedAt == null, ct);
        if (session is null) return Errors.NotFound("session");
        session.EndedAt = clock.GetUtcNow();
        await audit.RecordAsync(db, "EndClientSession", "session", session.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new SessionView(session.Id, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, session.Id == me.SessionId);
    }
}
