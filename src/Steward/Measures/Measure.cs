using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Measures;

public sealed class MeasureOptions
{
    /// <summary>How long evidence stays current: a measure is reviewed at least this often (G-09, P-13).</summary>
    public int ReviewIntervalDays { get; set; } = 365;
    /// <summary>A measure seeded without evidence must be attested within this many days.</summary>
    public int FirstAttestationDays { get; set; } = 30;
    /// <summary>G-02: a client's uploaded security policy is reviewed within this many days.</summary>
    public int PolicyReviewDays { get; set; } = 30;
    /// <summary>How often an overdue review is announced again to the DPO.</summary>
    public int RealertHours { get; set; } = 24;
    /// <summary>G-38: the window anomaly detection counts in, and the volumes in it that alert the DPO.</summary>
    public int AnomalyWindowMinutes { get; set; } = 60;
    public int AnomalyExports { get; set; } = 20;
    public int AnomalyFailedSignIns { get; set; } = 20;
    public int AnomalyRequests { get; set; } = 5000;
}

/// <summary>
/// One version of one technical or organisational measure (G-07, G-27, P-13, P-38). A change is a new version with
/// its rationale; the old one stays as history. Evidence is a passing test (for what Steward enforces itself), a
/// document, or a dated attestation (for what people and infrastructure do); a seeded measure nobody attested yet
/// has none, and says so.
/// </summary>
public sealed class Measure
{
    public const string Technical = "technical";
    public const string Organisational = "organisational";
    public const string Test = "test";
    public const string Document = "document";
    public const string Attestation = "attestation";

    public Guid Id { get; set; }
    public required string Key { get; set; }
    public int Version { get; set; }
    public bool Current { get; set; }
    public required string Title { get; set; }
    public required string Description { get; set; }
    public required string Category { get; set; }
    /// <summary>Where the promise comes from: "GenieBelt §4.2", "Personizely, Security measures", a requirement id.</summary>
    public required string Source { get; set; }
    /// <summary>The role that owns it ("dpo", "system-administration", …).</summary>
    public required string Owner { get; set; }
    /// <summary>The test in tests/Steward.Tests that proves it, where Steward itself enforces the measure.</summary>
    public string? ProvedBy { get; set; }
    public string? EvidenceKind { get; set; }
    public string? Evidence { get; set; }
    public DateTimeOffset? EvidenceAt { get; set; }
    public string? EvidenceBy { get; set; }
    public DateTimeOffset ReviewDueAt { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string ChangedBy { get; set; }
    public required string Rationale { get; set; }
    public DateTimeOffset? LastAlertAt { get; set; }

    public bool IsOverdue(DateTimeOffset now) => now > ReviewDueAt;

    internal static void Configure(ModelBuilder model) => model.Entity<Measure>(e =>
    {
        e.HasIndex(m => new { m.Key, m.Version }).IsUnique();
        e.HasIndex(m => new { m.Current, m.ReviewDueAt });
        e.Property(m => m.Key).HasMaxLength(80);
        e.Property(m => m.Title).HasMaxLength(200);
        e.Property(m => m.Description).HasMaxLength(4000);
        e.Property(m => m.Category).HasMaxLength(20);
        e.Property(m => m.Source).HasMaxLength(200);
        e.Property(m => m.Owner).HasMaxLength(50);
        e.Property(m => m.ProvedBy).HasMaxLength(300);
        e.Property(m => m.EvidenceKind).HasMaxLength(20);
        e.Property(m => m.Evidence).HasMaxLength(2000);
        e.Property(m => m.EvidenceBy).HasMaxLength(100);
        e.Property(m => m.ChangedBy).HasMaxLength(100);
        e.Property(m => m.Rationale).HasMaxLength(2000);
    });
}

/// <summary>
/// A controller's own IT security policy or site rules (G-02), uploaded in writing and reviewed by the processor.
/// The document may name people, so it is sealed under a key of its own.
/// </summary>
public sealed class ClientSecurityPolicy : ITenantOwned
{
    public const string Accepted = "accepted";
    public const string IssuesRaised = "issues-raised";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Title { get; set; }
    public required string FileName { get; set; }
    public required string Sha256 { get; set; }
    [PersonalData] public required byte[] ContentSealed { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
    public DateTimeOffset ReviewDueAt { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }
    public string? Outcome { get; set; }
    public string? Notes { get; set; }
    public DateTimeOffset? LastAlertAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ClientSecurityPolicy>(e =>
    {
        e.HasIndex(p => p.ClientId);
        e.HasIndex(p => new { p.ReviewedAt, p.ReviewDueAt });
        e.Property(p => p.Title).HasMaxLength(200);
        e.Property(p => p.FileName).HasMaxLength(200);
        e.Property(p => p.Sha256).HasMaxLength(64);
        e.Property(p => p.ReviewedBy).HasMaxLength(100);
        e.Property(p => p.Outcome).HasMaxLength(20);
        e.Property(p => p.Notes).HasMaxLength(4000);
    });
}
