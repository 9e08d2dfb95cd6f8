using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// The DPO approves one modifying or removing action of a system administrator on one client (P-14: "under DPO
/// supervision"). The administrator attaches its id (header X-Steward-Dpo-Approval); it is used once and expires.
/// </summary>
public sealed class ApproveAction(StewardDb db, AuditLog audit, IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(Guid? StaffId, Guid? ClientId, string? Purpose);
    public sealed record Response(Guid Id, Guid StaffId, Guid ClientId, string Purpose, DateTimeOffset ExpiresAt);

    public async Task<Result<Response>> HandleAsync(StaffPrincipal by, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.StaffId is null) problems.Add("staffId", "Name the staff member.");
        if (request.ClientId is null) problems.Add("clientId", "Name the client.");
        if (string.IsNullOrWhiteSpace(request.Purpose) || request.Purpose.Length > 500) problems.Add("purpose", "Say what the action is (at most 500 characters).");
        if (problems.Any) return Errors.Invalid(problems);
        if (request.StaffId == by.StaffId) return Errors.Forbidden("Nobody approves their own action.");
        if (!await db.StaffMembers.AnyAsync(s => s.Id == request.StaffId && s.DisabledAt == null, ct)) return Errors.NotFound("staff member");
        if (!await db.Clients.AnyAsync(c => c.Id == request.ClientId, ct)) return Errors.NotFound("client");

        var now = clock.GetUtcNow();
        var approval = new ActionApproval
        {
            Id = Guid.CreateVersion7(),
            StaffId = request.StaffId!.Value,
            ClientId = request.ClientId!.Value,
            Purpose = request.Purpose!.Trim(),
            ApprovedBy = by.StaffId,
            ApprovedAt = now,
            ExpiresAt = now + options.Value.ActionApprovalLifetime,
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.ActionApprovals.Add(approval);
        await audit.RecordAsync(db, "ApproveAction", "approval", approval.Id.ToString(), ct, approval.ClientId, status: 201);
        await write.CommitAsync(ct);
        return new Response(approval.Id, approval.StaffId, approval.ClientId, approval.Purpose, approval.ExpiresAt);
    }
}
