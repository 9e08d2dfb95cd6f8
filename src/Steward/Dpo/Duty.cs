using Microsoft.EntityFrameworkCore;

namespace Steward.Dpo;

public sealed class DutyOptions
{
    /// <summary>`dpo.securityCheckInterval` (P-11): regular security checks.</summary>
    public int SecurityCheckDays { get; set; } = 90;
    /// <summary>G-09: the internal security instructions are reviewed at least every 12 months.</summary>
    public int SecurityInstructionsReviewDays { get; set; } = 365;
    /// <summary>P-16: access grants are re-reviewed on a schedule.</summary>
    public int AccessGrantReviewDays { get; set; } = 90;
    /// <summary>G-20, P-12: each sub-processor's evidence is reviewed yearly.</summary>
    public int SubProcessorReviewDays { get; set; } = 365;
    /// <summary>P-11: a completed destruction's removal audit awaits the DPO's sign-off this long before it alerts.</summary>
    public int RemovalSignOffDays { get; set; } = 7;
    /// <summary>How often an overdue duty is announced again to the DPO.</summary>
    public int RealertHours { get; set; } = 24;
}

/// <summary>
/// One occurrence of a DPO duty (P-11, G-09): a recurring check with an owner and a due date, or a one-off task
/// (a breach's data-subject communication). Completing a recurring one schedules the next; the done rows are the
/// record of each completion.
/// </summary>
public sealed class Duty
{
    public const string SecurityCheck = "security-check";
    public const string SecurityInstructionsReview = "security-instructions-review";
    public const string AccessGrantReview = "access-grant-review";
    public const string SubProcessorReview = "sub-processor-review";
    public const string DataSubjectCommunication = "breach-data-subject-communication";
    /// <summary>P-11: the DPO's sign-off on a completed destruction's removal audit; only the DPO can close it.</summary>
    public const string RemovalAuditSignOff = "removal-audit-sign-off";

    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public required string Title { get; set; }
    /// <summary>The role that owns it: "dpo", "ceo".</summary>
    public required string Owner { get; set; }
    public int? IntervalDays { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? CompletedBy { get; set; }
    public string? Outcome { get; set; }
    public DateTimeOffset? LastAlertAt { get; set; }
    public Guid? BreachId { get; set; }

    public bool IsOverdue(DateTimeOffset now) => CompletedAt is null && now > DueAt;

    internal static void Configure(ModelBuilder model) => model.Entity<Duty>(e =>
    {
        e.HasIndex(d => new { d.CompletedAt, d.DueAt });
        e.Property(d => d.Kind).HasMaxLength(60);
        e.Property(d => d.Title).HasMaxLength(300);
        e.Property(d => d.Owner).HasMaxLength(20);
        e.Property(d => d.CompletedBy).HasMaxLength(100);
        e.Property(d => d.Outcome).HasMaxLength(4000);
    });
}
