using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// A CEO or DPO records a person's onboarding (G-08, P-17): the data-handling training, the confidentiality
/// undertaking and the briefing on the DPA duties. No grant takes effect without all three.
/// </summary>
public sealed class RecordOnboarding(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record Request(bool? Training, bool? Confidentiality, bool? DpaDuties);
    public sealed record Response(Guid StaffId, DateTimeOffset? TrainingCompletedAt, DateTimeOffset? ConfidentialityUndertakenAt, DateTimeOffset? DpaDutiesBriefedAt, bool Complete);

    public async Task<Result<Response>> HandleAsync(Guid staffId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var member = await db.StaffMembers.SingleOrDefaultAsync(s => s.Id == staffId && s.DisabledAt == null, ct);
        if (member is null) return Errors.NotFound("staff member");
        if (request.Training is true) member.TrainingCompletedAt ??= now;
        if (request.Confidentiality is true) member.ConfidentialityUndertakenAt ??= now;
        if (request.DpaDuties is true) member.DpaDutiesBriefedAt ??= now;
        await audit.RecordAsync(db, "RecordOnboarding", "staff", member.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(member.Id, member.TrainingCompletedAt, member.ConfidentialityUndertakenAt, member.DpaDutiesBriefedAt, IsOnboarded(member));
    }

    public static bool IsOnboarded(StaffMember member) =>
        member is { TrainingCompletedAt: not null, ConfidentialityUndertakenAt: not null, DpaDutiesBriefedAt: not null };
}
