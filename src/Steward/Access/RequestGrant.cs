using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// A CEO or DPO asks for a grant: a person, one client or all clients, rights, a purpose (G-40) and an optional
/// expiry. It stays pending until a CEO and a DPO, two different people, have approved it (P-16).
/// </summary>
public sealed class RequestGrant(StewardDb db, RoleMatrix matrix, AuditLog audit, IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(Guid? StaffId, Guid? ClientId, List<string>? Rights, string? Purpose, DateTimeOffset? ExpiresAt);

    public async Task<Result<GrantView>> HandleAsync(StaffPrincipal by, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        var rights = request.Rights?.Distinct().ToList() ?? [];
        if (rights.Count == 0 || rights.Any(r => !Rights.All.Contains(r))) problems.Add("rights", $"One or more of: {string.Join(", ", Rights.All)}.");
        if (string.IsNullOrWhiteSpace(request.Purpose) || request.Purpose.Length > 500) problems.Add("purpose", "Say what the access is for (at most 500 characters).");
        if (request.ExpiresAt <= now) problems.Add("expiresAt", "The expiry must be in the future.");
        if (request.StaffId is null) problems.Add("staffId", "Name the staff member.");
        if (problems.Any) return Errors.Invalid(problems);

        var member = await db.StaffMembers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == request.StaffId && s.DisabledAt == null, ct);
        if (member is null) return Errors.NotFound("staff member");
        var beyond = rights.Where(r => !matrix.DataRights(member.Role).Contains(r)).ToList();
        if (beyond.Count > 0) return Errors.Invalid("rights", $"The role {member.Role} does not allow: {string.Join(", ", beyond)}.");
        if (member.Role == Roles.Auditor && (request.ClientId is null || request.ExpiresAt is null))
            return Errors.Invalid("expiresAt", "An auditor's grant is for one client and must end (P-45): give clientId and expiresAt.");
        if (!RecordOnboarding.IsOnboarded(member, options.Value.GuidelinesVersion)) return Errors.Conflict(RecordOnboarding.Missing);
        if (request.ClientId is { } clientId && !await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Errors.NotFound("client");

        var grant = new AccessGrant
        {
            Id = Guid.CreateVersion7(),
            StaffId = member.Id,
            ClientId = request.ClientId,
            Rights = string.Join(',', rights.Order(StringComparer.Ordinal)),
            Purpose = request.Purpose!.Trim(),
            ExpiresAt = request.ExpiresAt,
            RequestedBy = by.StaffId,
            RequestedAt = now,
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.AccessGrants.Add(grant);
        await audit.RecordAsync(db, "RequestGrant", "grant", grant.Id.ToString(), ct, request.ClientId, status: 201);
        await write.CommitAsync(ct);
        return GrantView.Of(grant, now);
    }
}

public sealed record GrantView(Guid Id, Guid StaffId, Guid? ClientId, List<string> Rights, string Purpose, string Status,
    DateTimeOffset RequestedAt, Guid? CeoApprovedBy, Guid? DpoApprovedBy, DateTimeOffset? ActiveFrom, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? NextReviewAt)
{
    public static GrantView Of(AccessGrant g, DateTimeOffset now) => new(g.Id, g.StaffId, g.ClientId, [.. g.RightList], g.Purpose, g.Status(now),
        g.RequestedAt, g.CeoApprovedBy, g.DpoApprovedBy, g.ActiveFrom, g.ExpiresAt, g.RevokedAt, g.NextReviewAt);

    /// <summary>Whether this person's approval is one the grant still needs: a pending grant, not theirs, their role's slot empty.</summary>
    public bool AwaitsApprovalOf(StaffPrincipal by) => Status == "pending" && StaffId != by.StaffId
        && (by.Role == Roles.Ceo && CeoApprovedBy is null || by.Role == Roles.Dpo && DpoApprovedBy is null);
}
