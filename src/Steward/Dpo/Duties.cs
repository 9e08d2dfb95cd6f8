using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Dpo;

/// <summary>The DPO's schedule: the recurring checks exist (one open occurrence each), listed with what is overdue.</summary>
public sealed class DutySchedule(StewardDb db, IOptions<DutyOptions> options, TimeProvider clock)
{
    public sealed record View(Guid Id, string Kind, string Title, string Owner, int? IntervalDays, DateTimeOffset DueAt,
        bool Overdue, DateTimeOffset? CompletedAt, string? CompletedBy, string? Outcome, Guid? BreachId);

    public IEnumerable<(string Kind, string Title, int Days)> Recurring()
    {
        var o = options.Value;
        yield return (Duty.SecurityCheck, "Regular security check (P-11)", o.SecurityCheckDays);
        yield return (Duty.SecurityInstructionsReview, "Review the internal security instructions and data-handling guidelines (G-09)", o.SecurityInstructionsReviewDays);
        yield return (Duty.AccessGrantReview, "Review every access grant to personal data (P-16)", o.AccessGrantReviewDays);
        yield return (Duty.SubProcessorReview, "Review each sub-processor's evidence and audit terms (G-20, P-12)", o.SubProcessorReviewDays);
    }

    /// <summary>Creates the first occurrence of each recurring duty that has none open (run at start).</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var open = await db.Set<Duty>().Where(d => d.CompletedAt == null).Select(d => d.Kind).Distinct().ToListAsync(ct);
        var missing = Recurring().Where(r => !open.Contains(r.Kind)).ToList();
        if (missing.Count == 0) return;
        await using var write = await db.BeginWriteAsync(ct);
        foreach (var (kind, title, days) in missing)
            db.Add(new Duty { Id = Guid.CreateVersion7(), Kind = kind, Title = title, Owner = "dpo", IntervalDays = days, DueAt = now.AddDays(days), CreatedAt = now });
        await write.CommitAsync(ct);
    }

    public async Task<List<View>> ListAsync(bool includeDone, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var duties = await db.Set<Duty>().AsNoTracking().Where(d => includeDone || d.CompletedAt == null).ToListAsync(ct);
        return duties.OrderBy(d => d.CompletedAt is not null).ThenBy(d => d.DueAt)
            .Select(d => new View(d.Id, d.Kind, d.Title, d.Owner, d.IntervalDays, d.DueAt, d.IsOverdue(now), d.CompletedAt, d.CompletedBy, d.Outcome, d.BreachId)).ToList();
    }
}

/// <summary>
/// The DPO records a duty as done (with its outcome); a recurring one is scheduled again from today. A removal audit
/// closes only with the DPO's own sign-off (P-11): the CEO cannot close it for them.
/// </summary>
public sealed class CompleteDuty(StewardDb db, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record Request(string? Outcome);
    public sealed record Response(Guid Completed, Guid? Next, DateTimeOffset? NextDueAt);

    public async Task<Result<Response>> HandleAsync(Guid dutyId, Request request, string role, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Outcome) || request.Outcome.Length > 4000)
            return Errors.Invalid("outcome", "Record what was checked and found (at most 4000 characters).");
        await using var write = await db.BeginWriteAsync(ct);
        var duty = await db.Set<Duty>().SingleOrDefaultAsync(d => d.Id == dutyId, ct);
        if (duty is null) return Errors.NotFound("duty");
        if (duty.CompletedAt is not null) return Errors.Conflict("This duty is already done.");
        if (duty.Kind == Duty.RemovalAuditSignOff && role != Access.Roles.Dpo) return Errors.Forbidden("A removal audit closes only with the DPO's sign-off.");
        var now = clock.GetUtcNow();
        duty.CompletedAt = now;
        duty.CompletedBy = actor.ActorId ?? actor.ActorType;
        duty.Outcome = request.Outcome.Trim();
        Duty? next = null;
        if (duty.IntervalDays is { } days)
            db.Add(next = new Duty { Id = Guid.CreateVersion7(), Kind = duty.Kind, Title = duty.Title, Owner = duty.Owner, IntervalDays = days, DueAt = now.AddDays(days), CreatedAt = now });
        await audit.RecordAsync(db, "CompleteDuty", "duty", duty.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(duty.Id, next?.Id, next?.DueAt);
    }
}

/// <summary>
/// Overdue duties alert the DPO (and the CEO for the CEO's), again every <see cref="DutyOptions.RealertHours"/> until
/// done. Each pass first opens a sign-off duty for every completed destruction that has none (P-11).
/// </summary>
public sealed class RemindDuties(StewardDb db, ControllerMail mail, IOptions<ProcessorOptions> processor, IOptions<DutyOptions> options, TimeProvider clock)
{
    public static string SignOffTitle(Guid destructionId) => $"Sign off the removal audit of destruction {destructionId} (P-11)";

    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var realert = now.AddHours(-options.Value.RealertHours);
        await using var write = await db.BeginWriteAsync(ct);
        // the duty names its destruction in its title: one sign-off per destruction, without a column for it
        var opened = (await db.Set<Duty>().Where(d => d.Kind == Duty.RemovalAuditSignOff).Select(d => d.Title).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var completed = await db.Destructions.IgnoreQueryFilters().Where(d => d.Status == Retention.Destruction.Completed)
            .Select(d => new { d.Id, d.CompletedAt }).ToListAsync(ct);
        foreach (var d in completed.Where(d => !opened.Contains(SignOffTitle(d.Id))))
            db.Add(new Duty
            {
                Id = Guid.CreateVersion7(),
                Kind = Duty.RemovalAuditSignOff,
                Title = SignOffTitle(d.Id),
                Owner = "dpo",
                DueAt = (d.CompletedAt ?? now).AddDays(options.Value.RemovalSignOffDays),
                CreatedAt = now,
            });
        var overdue = (await db.Set<Duty>().Where(d => d.CompletedAt == null).ToListAsync(ct))
            .Where(d => d.DueAt < now && (d.LastAlertAt is null || d.LastAlertAt <= realert)).ToList();
        foreach (var duty in overdue)
        {
            var days = (int)(now - duty.DueAt).TotalDays;
            await mail.SendStaffAsync(db, duty.Owner == "ceo" ? processor.Value.DpoAndCeo : processor.Value.Dpo, "duty-overdue", null,
                $"[Steward] Overdue: {duty.Title}",
                $"""
                A DPO duty is overdue.

                Duty:    {duty.Title} ({duty.Kind})
                Due:     {duty.DueAt.ToString("u", CultureInfo.InvariantCulture)} ({days.ToString(CultureInfo.InvariantCulture)} days ago)
                Owner:   {duty.Owner}

                Record its completion in Steward when done. Reference: {duty.Id}
                """, ct);
            duty.LastAlertAt = now;
        }
        await write.CommitAsync(ct);
        return overdue.Count;
    }
}
