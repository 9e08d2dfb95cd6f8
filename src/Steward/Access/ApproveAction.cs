using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// The DPO approves one modifying or removing action of a system administrator on one client (P-14: "under DPO
/// supervision"): one route (by its endpoint name) on one target (<see cref="StaffClientAccess.Target"/>). The
/// administrator attaches its id (header X-Steward-Dpo-Approval); it works for that action only, once, and expires.
/// </summary>
public sealed class ApproveAction(StewardDb db, EndpointDataSource endpoints, AuditLog audit, IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(Guid? StaffId, Guid? ClientId, string? Action, string? Target, string? Purpose);
    public sealed record Response(Guid Id, Guid StaffId, Guid ClientId, string Action, string? Target, string Purpose, DateTimeOffset ExpiresAt);

    public async Task<Result<Response>> HandleAsync(StaffPrincipal by, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.StaffId is null) problems.Add("staffId", "Name the staff member.");
        if (request.ClientId is null) problems.Add("clientId", "Name the client.");
        if (string.IsNullOrWhiteSpace(request.Purpose) || request.Purpose.Length > 500) problems.Add("purpose", "Say what the action is (at most 500 characters).");
        if (request.Action is null || !ClientActions().Contains(request.Action))
            problems.Add("action", "Name the route to approve by its endpoint name (e.g. EraseContact, RectifyContact).");
        if (request.Target is { Length: 0 or > 200 }) problems.Add("target", "The target is the route's values besides the client, e.g. the contact id (at most 200 characters).");
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
            Action = request.Action!,
            Target = request.Target,
            Purpose = request.Purpose!.Trim(),
            ApprovedBy = by.StaffId,
            ApprovedAt = now,
            ExpiresAt = now + options.Value.ActionApprovalLifetime,
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.ActionApprovals.Add(approval);
        await audit.RecordAsync(db, "ApproveAction", "approval", approval.Id.ToString(), ct, approval.ClientId, status: 201);
        await write.CommitAsync(ct);
        return new Response(approval.Id, approval.StaffId, approval.ClientId, approval.Action, approval.Target, approval.Purpose, approval.ExpiresAt);
    }

    /// <summary>The named routes on a client's data that modify or remove (reads and exports never need this approval).</summary>
    private HashSet<string> ClientActions() =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.Contains("{clientId}", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (e, m)))
            .Where(x => StaffClientAccess.RightFor(x.e, x.m) is Rights.Modify or Rights.Remove)
            .Select(x => x.e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName).OfType<string>().ToHashSet(StringComparer.Ordinal);
}
