using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// A CEO or DPO records a person's onboarding (G-08, P-17, P-32, G-39): the data-handling training, the
/// confidentiality undertaking, the briefing on the DPA duties and the acknowledgement of the internal guidelines
/// in force (its version is kept). No grant takes effect without all four. The records are never cleared: they
/// outlive the person's leaving (G-22).
/// </summary>
public sealed class RecordOnboarding(StewardDb db, AuditLog audit, IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(bool? Training, bool? Confidentiality, bool? DpaDuties, bool? Guidelines = null);
    public sealed record Response(Guid StaffId, DateTimeOffset? TrainingCompletedAt, DateTimeOffset? ConfidentialityUndertakenAt, DateTimeOffset? DpaDutiesBriefedAt,
        string? GuidelinesVersion, DateTimeOffset? GuidelinesAcknowledgedAt, bool Complete);

    public async Task<Result<Response>> HandleAsync(Guid staffId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var current = options.Value.GuidelinesVersion;
        await using var write = await db.BeginWriteAsync(ct);
        var member = await db.StaffMembers.SingleOrDefaultAsync(s => s.Id == staffId && s.DisabledAt == null, ct);
        if (member is null) return Errors.NotFound("staff member");
        if (request.Training is true) member.TrainingCompletedAt ??= now;
        if (request.Confidentiality is true) member.ConfidentialityUndertakenAt ??= now;
        if (request.DpaDuties is true) member.DpaDutiesBriefedAt ??= now;
        if (request.Guidelines is true && member.GuidelinesVersion != current)
        {
            member.GuidelinesVersion = current;
            member.GuidelinesAcknowledgedAt = now;
        }
        await audit.RecordAsync(db, "RecordOnboarding", "staff", member.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(member.Id, member.TrainingCompletedAt, member.ConfidentialityUndertakenAt, member.DpaDutiesBriefedAt,
            member.GuidelinesVersion, member.GuidelinesAcknowledgedAt, IsOnboarded(member, current));
    }

    public static bool IsOnboarded(StaffMember member, string guidelinesVersion) =>
        member is { TrainingCompletedAt: not null, ConfidentialityUndertakenAt: not null, DpaDutiesBriefedAt: not null } &&
        member.GuidelinesVersion == guidelinesVersion;

    public const string Missing =
        "The person's data-handling training, confidentiality undertaking, DPA briefing and acknowledgement of the internal guidelines in force must be recorded first (G-08, P-32, G-39).";
}

/// <summary>
/// The confidentiality register (P-32, G-22, G-39): everyone who works or worked under the processor's authority,
/// employees and contractors, leavers included, with their undertaking and the guidelines version they acknowledged.
/// Ids and roles only: the names stay sealed.
/// </summary>
public sealed class ConfidentialityRegister(StewardDb db, IOptions<AccessOptions> options)
{
    public sealed record Entry(Guid StaffId, string Role, string Engagement, string Status, DateTimeOffset? ConfidentialityUndertakenAt,
        DateTimeOffset? TrainingCompletedAt, DateTimeOffset? DpaDutiesBriefedAt, string? GuidelinesVersion, DateTimeOffset? GuidelinesAcknowledgedAt,
        bool GuidelinesCurrent, DateTimeOffset? LeftAt);
    public sealed record Response(string CurrentGuidelinesVersion, List<Entry> People);

    public async Task<Response> HandleAsync(CancellationToken ct)
    {
        var current = options.Value.GuidelinesVersion;
        var people = await db.StaffMembers.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return new Response(current, [.. people.Select(s => new Entry(s.Id, s.Role, s.Engagement, s.DisabledAt is null ? "active" : "left",
            s.ConfidentialityUndertakenAt, s.TrainingCompletedAt, s.DpaDutiesBriefedAt, s.GuidelinesVersion, s.GuidelinesAcknowledgedAt,
            s.GuidelinesVersion == current, s.DisabledAt))]);
    }
}
