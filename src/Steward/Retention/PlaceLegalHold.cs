using Microsoft.EntityFrameworkCore;
using Steward.Access;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Retention;

/// <summary>A staff member whose role allows it places a legal hold, with its reason, on a client or one of its contacts (G-21).</summary>
public sealed class PlaceLegalHold(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record Request(Guid? ClientId, Guid? ContactId, string? Reason);
    public sealed record View(Guid Id, Guid ClientId, Guid? ContactId, string Reason, Guid PlacedBy, DateTimeOffset PlacedAt,
        Guid? LiftedBy, DateTimeOffset? LiftedAt, string? LiftReason)
    {
        public static View Of(LegalHold h) => new(h.Id, h.ClientId, h.ContactId, h.Reason, h.PlacedBy, h.PlacedAt, h.LiftedBy, h.LiftedAt, h.LiftReason);
    }

    public async Task<Result<View>> HandleAsync(StaffPrincipal by, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.ClientId is null) problems.Add("clientId", "Name the client.");
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
            problems.Add("reason", "Say which legal requirement holds the data (at most 500 characters).");
        if (problems.Any) return Errors.Invalid(problems);
        var clientId = request.ClientId!.Value;
        if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Errors.NotFound("client");
        // a contact of another client, or one already erased, cannot be held here
        if (request.ContactId is { } contactId
            && !await db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == contactId && c.ClientId == clientId, ct)) return Errors.NotFound("contact");

        var hold = new LegalHold
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            ContactId = request.ContactId,
            Reason = request.Reason!.Trim(),
            PlacedBy = by.StaffId,
            PlacedAt = clock.GetUtcNow(),
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.LegalHolds.Add(hold);
        await audit.RecordAsync(db, "PlaceLegalHold", "legal-hold", hold.Id.ToString(), ct, clientId, status: 201);
        await write.CommitAsync(ct);
        return View.Of(hold);
    }
}

/// <summary>A hold ends only when someone lifts it, with a reason; the purges it suspended run on the job's next pass.</summary>
public sealed class LiftLegalHold(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record Request(string? Reason);

    public async Task<Result<PlaceLegalHold.View>> HandleAsync(StaffPrincipal by, Guid holdId, Request request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
            return Errors.Invalid("reason", "Say why the hold ends (at most 500 characters).");
        await using var write = await db.BeginWriteAsync(ct);
        var hold = await db.LegalHolds.IgnoreQueryFilters().SingleOrDefaultAsync(h => h.Id == holdId, ct);
        if (hold is null) return Errors.NotFound("legal hold");
        if (hold.LiftedAt is not null) return Errors.Conflict("The hold is already lifted.");
        hold.LiftedAt = clock.GetUtcNow();
        hold.LiftedBy = by.StaffId;
        hold.LiftReason = request.Reason.Trim();
        await audit.RecordAsync(db, "LiftLegalHold", "legal-hold", hold.Id.ToString(), ct, hold.ClientId);
        await write.CommitAsync(ct);
        return PlaceLegalHold.View.Of(hold);
    }
}
