using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Breaches;

public sealed class BreachOptions
{
    /// <summary>`breach.processorNotifySla`: default target, in hours from awareness, for the notice to each client.</summary>
    public int ProcessorNotifyHours { get; set; } = 24;
    /// <summary>The hard ceiling of any client's target (P-39: at most 72 hours).</summary>
    public int CeilingHours { get; set; } = 72;
    /// <summary>Art. 33(1): the authority clock, where the processor is itself controller (P-27).</summary>
    public int AuthorityHours { get; set; } = 72;
    /// <summary>`breach.notifyThreatened` default: suspected incidents may produce an advisory notice.</summary>
    public bool NotifyThreatened { get; set; } = true;
    /// <summary>`breach.externalCommsNeedsControllerApproval` default (G-11).</summary>
    public bool ExternalCommsNeedControllerApproval { get; set; } = true;
}

/// <summary>
/// One security incident in the breach register (G-06, Art. 33(5)): every one is kept, notifiable or not. Facts,
/// effects and remedies are about the incident, not about a person: never put a data subject's details in them.
/// </summary>
public sealed class Breach
{
    public const string Suspected = "suspected";
    public const string Confirmed = "confirmed";
    public const string Contained = "contained";
    public const string Closed = "closed";
    public const string NotABreach = "not-a-breach";
    public const string ToFollow = "to follow";

    public Guid Id { get; set; }
    public required string Status { get; set; }
    /// <summary>"actual" or "threatened" (P-40).</summary>
    public required string Kind { get; set; }
    public DateTimeOffset DetectedAt { get; set; }
    /// <summary>When the processor became reasonably certain (EDPB 9/2022): the start of the client clocks.</summary>
    public DateTimeOffset? AwareAt { get; set; }
    public string? AwareBy { get; set; }
    public string? AwareReason { get; set; }
    public DateTimeOffset? OccurredAt { get; set; }
    public required string Nature { get; set; }
    /// <summary>How the affected clients were chosen: "chosen", or the scope they were computed from.</summary>
    public required string Scope { get; set; }
    public string? SubjectCategories { get; set; }
    public string? ApproxSubjects { get; set; }
    public string? RecordCategories { get; set; }
    public string? ApproxRecords { get; set; }
    public string? Consequences { get; set; }
    public string? MeasuresTaken { get; set; }
    public string? MeasuresProposed { get; set; }
    /// <summary>"unassessed", "none", "risk" or "high".</summary>
    public string Risk { get; set; } = "unassessed";
    public string? RiskReasoning { get; set; }
    /// <summary>"none" or "encrypted" (Art. 34(3)(a), A.5): only with the evidence below.</summary>
    public string Exemption { get; set; } = "none";
    public string? ExemptionAlgorithm { get; set; }
    public string? ExemptionKeyRecord { get; set; }
    /// <summary>P-27: the breach touches data the processor controls (its clients' account data): the authority clock runs.</summary>
    public bool ProcessorIsController { get; set; }
    public DateTimeOffset? AuthorityNotifiedAt { get; set; }
    public string? AuthorityLateReason { get; set; }
    public int AuthorityReminderStage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Art. 33(1) for the processor's own data: 72 hours from the earlier of detection and awareness (P-27).</summary>
    public DateTimeOffset? AuthorityDueAt(int hours) =>
        ProcessorIsController && AwareAt is { } aware ? (aware < DetectedAt ? aware : DetectedAt).AddHours(hours) : null;

    /// <summary>Time spent in triage between the first alert and awareness (visible, EDPB 9/2022).</summary>
    public TimeSpan? Triage => AwareAt - DetectedAt;

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<Breach>(e =>
        {
            e.HasIndex(b => b.DetectedAt);
            e.Property(b => b.Status).HasMaxLength(20);
            e.Property(b => b.Kind).HasMaxLength(20);
            e.Property(b => b.Risk).HasMaxLength(20);
            e.Property(b => b.Exemption).HasMaxLength(20);
            e.Property(b => b.AwareBy).HasMaxLength(100);
            e.Property(b => b.Scope).HasMaxLength(500);
            e.Property(b => b.ExemptionAlgorithm).HasMaxLength(200);
            foreach (var text in new[] { nameof(AwareReason), nameof(Nature), nameof(SubjectCategories), nameof(ApproxSubjects), nameof(RecordCategories),
                nameof(ApproxRecords), nameof(Consequences), nameof(MeasuresTaken), nameof(MeasuresProposed), nameof(RiskReasoning),
                nameof(ExemptionKeyRecord), nameof(AuthorityLateReason) })
                e.Property(text).HasMaxLength(4000);
        });
        model.Entity<AffectedClient>(e =>
        {
            e.HasKey(a => new { a.BreachId, a.ClientId });
            e.HasIndex(a => a.ClientId);
            e.Property(a => a.CommsApprovalKind).HasMaxLength(30);
            e.Property(a => a.CommsApprovalReference).HasMaxLength(1000);
            e.Property(a => a.LateReason).HasMaxLength(4000);
        });
        model.Entity<BreachNotice>(e =>
        {
            e.HasIndex(n => n.BreachId);
            e.Property(n => n.Audience).HasMaxLength(20);
            e.Property(n => n.Kind).HasMaxLength(20);
            e.Property(n => n.SentBy).HasMaxLength(100);
            e.Property(n => n.Reference).HasMaxLength(200);
            e.Property(n => n.LateReason).HasMaxLength(4000);
            e.Property(n => n.Content).HasMaxLength(20000);
        });
        model.Entity<BreachStep>(e =>
        {
            e.HasIndex(s => s.BreachId);
            e.Property(s => s.Step).HasMaxLength(30);
            e.Property(s => s.By).HasMaxLength(100);
            e.Property(s => s.Note).HasMaxLength(4000);
        });
    }
}

/// <summary>A client whose data the breach touches, with its own notice clock (P-39, G-11).</summary>
public sealed class AffectedClient : ITenantOwned
{
    public Guid BreachId { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>The client's deadline: awareness + its DPA's target hours. Null while the incident is only suspected.</summary>
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? NotifiedAt { get; set; }
    public string? LateReason { get; set; }
    public int ReminderStage { get; set; }
    /// <summary>G-11: "written-agreement" (the client's) or "legal-obligation", before any public or third-party statement.</summary>
    public string? CommsApprovalKind { get; set; }
    public string? CommsApprovalReference { get; set; }
    public DateTimeOffset? CommsApprovedAt { get; set; }
}

/// <summary>A notice as sent, in phases (Art. 33(4)): to a client, to the authority, or (after approval) to the public or a third party.</summary>
public sealed class BreachNotice
{
    public Guid Id { get; set; }
    public Guid BreachId { get; set; }
    public Guid? ClientId { get; set; }
    /// <summary>"client", "authority", "public" or "third-party".</summary>
    public required string Audience { get; set; }
    /// <summary>"advisory" (suspected, P-40), "initial" or "follow-up".</summary>
    public required string Kind { get; set; }
    public int Phase { get; set; }
    public required string Content { get; set; }
    public DateTimeOffset SentAt { get; set; }
    public required string SentBy { get; set; }
    public string? LateReason { get; set; }
    public string? Reference { get; set; }
}

/// <summary>The breach's history of steps: recorded, confirmed, assessed, contained, closed…</summary>
public sealed class BreachStep
{
    public Guid Id { get; set; }
    public Guid BreachId { get; set; }
    public required string Step { get; set; }
    public DateTimeOffset At { get; set; }
    public required string By { get; set; }
    public string? Note { get; set; }
}
