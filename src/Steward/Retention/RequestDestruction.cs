using Microsoft.EntityFrameworkCore;
using Steward.Access;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Retention;

/// <summary>
/// Files a destruction of a scope — a whole client, or a set of its contacts — with its reason (P-26). Nothing is
/// destroyed until a CEO and a DPO, two different people, approve it (<see cref="ApproveDestruction"/>).
/// </summary>
public sealed class RequestDestruction(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public const int MaxContacts = 10_000;

    public sealed record Request(Guid? ClientId, List<Guid>? ContactIds, string? Reason);

    public async Task<Result<DestructionReport.View>> HandleAsync(StaffPrincipal by, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.ClientId is null) problems.Add("clientId", "Name the client.");
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500) problems.Add("reason", "Say why (at most 500 characters).");
        if (request.ContactIds is { Count: 0 or > MaxContacts }) problems.Add("contactIds", $"Name 1 to {MaxContacts} contacts, or leave it out to destroy the whole client.");
        if (problems.Any) return Errors.Invalid(problems);
        var clientId = request.ClientId!.Value;
        if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Errors.NotFound("client");
        if (request.ContactIds is { } ids)
        {
            var distinct = ids.Distinct().ToList();
            var found = await db.Contacts.IgnoreQueryFilters().CountAsync(c => c.ClientId == clientId && distinct.Contains(c.Id), ct);
            if (found != distinct.Count) return Errors.NotFound("contact");
        }
        await using var write = await db.BeginWriteAsync(ct);
        var destruction = await FileAsync(db, audit, clientId, request.ContactIds, request.Reason!.Trim(), by.StaffId, clock.GetUtcNow(), ct);
        await write.CommitAsync(ct);
        return DestructionReport.Of(destruction, []);
    }

    /// <summary>Adds the destruction in the caller's unit of work: also the client's own "destroy" at termination (P-47).</summary>
    public static async Task<Destruction> FileAsync(StewardDb db, AuditLog audit, Guid clientId, IReadOnlyCollection<Guid>? contactIds, string reason,
        Guid? requestedBy, DateTimeOffset now, CancellationToken ct)
    {
        var destruction = new Destruction
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Scope = contactIds is null ? Destruction.ClientScope : Destruction.ContactsScope,
            ContactIds = contactIds is null ? null : string.Join(',', contactIds.Distinct()),
            Reason = reason,
            RequestedBy = requestedBy,
            RequestedAt = now,
        };
        db.Destructions.Add(destruction);
        await audit.RecordAsync(db, "RequestDestruction", "destruction", destruction.Id.ToString(), ct, clientId, status: 201);
        return destruction;
    }
}

/// <summary>A CEO or a DPO approves a destruction (the rule of <see cref="DualApproval"/>); the second approval runs it.</summary>
public sealed class ApproveDestruction(StewardDb db, AuditLog audit, RunDestruction run, TimeProvider clock)
{
    public async Task<Result<DestructionReport.View>> HandleAsync(StaffPrincipal by, Guid destructionId, CancellationToken ct)
    {
        bool approved;
        await using (var write = await db.BeginWriteAsync(ct))
        {
            var destruction = await db.Destructions.IgnoreQueryFilters().SingleOrDefaultAsync(d => d.Id == destructionId, ct);
            if (destruction is null) return Errors.NotFound("destruction");
            if (destruction.Status != Destruction.AwaitingApproval) return Errors.Conflict($"The destruction is {destruction.Status}: only one awaiting approval can be approved.");
            if (DualApproval.Approve(destruction, by, clock.GetUtcNow(), "destructions") is { } refused) return refused;
            approved = DualApproval.IsComplete(destruction);
            if (approved) destruction.Status = Destruction.Destroying;
            await audit.RecordAsync(db, "ApproveDestruction", "destruction", destruction.Id.ToString(), ct, destruction.ClientId);
            await write.CommitAsync(ct);
        }
        return approved ? await run.HandleAsync(destructionId, null, ct) : await run.ViewAsync(destructionId, ct);
    }
}
