using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.SubProcessors;

/// <summary>
/// A third party that receives clients' personal data (G-49, P-12): what it does, where, on which transfer basis,
/// and the evidence on file. It receives data only while active, with current evidence, through the transfer gate.
/// </summary>
public sealed class SubProcessor
{
    public const string Proposed = "proposed";
    public const string Active = "active";
    public const string Retired = "retired";

    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string? Website { get; set; }
    public required string Purpose { get; set; }
    /// <summary>Comma-separated categories of data it receives ("contact details, usage data").</summary>
    public required string DataCategories { get; set; }
    /// <summary>Comma-separated ISO 3166-1 alpha-2 codes where it processes and stores.</summary>
    public required string Countries { get; set; }
    public string Status { get; set; } = Proposed;
    /// <summary>A contact for the controller to reach it directly (G-16) and for manual erasure tasks (P-09). A company address.</summary>
    public string? ContactEmail { get; set; }

    // evidence (P-12, P-37, G-14)
    public string? DpaReference { get; set; }
    public bool EquivalentTerms { get; set; }
    public DateTimeOffset? DueDiligenceAt { get; set; }
    public string? Certifications { get; set; }
    public DateTimeOffset? LastReviewedAt { get; set; }
    /// <summary>When the DPO was last reminded that the yearly review is due (G-20); once per review cycle.</summary>
    public DateTimeOffset? ReviewReminderAt { get; set; }
    /// <summary>Seeded facts not yet confirmed by the operator: until confirmed, no data flows.</summary>
    public bool NeedsConfirmation { get; set; }

    // transfer basis (G-17, P-35, B.8)
    public bool DpfCertified { get; set; }
    public DateTimeOffset? SccsSignedAt { get; set; }
    public string? SccsModule { get; set; }
    public string? TransferAssessment { get; set; }

    // erasure connector (P-09): "manual", "webhook" or "http"; its JSON spec for "http"
    public string Connector { get; set; } = "manual";
    public string? ConnectorSpec { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }

    public IReadOnlyList<string> CountryList => Countries.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static void Configure(ModelBuilder model) => model.Entity<SubProcessor>(e =>
    {
        e.HasIndex(s => s.Name).IsUnique();
        e.Property(s => s.Name).HasMaxLength(100);
        e.Property(s => s.Website).HasMaxLength(200);
        e.Property(s => s.Purpose).HasMaxLength(1000);
        e.Property(s => s.DataCategories).HasMaxLength(500);
        e.Property(s => s.Countries).HasMaxLength(200);
        e.Property(s => s.Status).HasMaxLength(20);
        e.Property(s => s.ContactEmail).HasMaxLength(254);
        e.Property(s => s.DpaReference).HasMaxLength(500);
        e.Property(s => s.Certifications).HasMaxLength(500);
        e.Property(s => s.SccsModule).HasMaxLength(20);
        e.Property(s => s.TransferAssessment).HasMaxLength(1000);
        e.Property(s => s.Connector).HasMaxLength(20);
        e.Property(s => s.ConnectorSpec).HasMaxLength(4000);
    });
}

/// <summary>Adding or replacing a sub-processor (G-13, P-36): announced to every active client, effective only after notice.</summary>
public sealed class SubProcessorChange
{
    public const string Pending = "pending";
    public const string Effective = "effective";

    public Guid Id { get; set; }
    public Guid SubProcessorId { get; set; }
    public Guid? ReplacesId { get; set; }
    public DateTimeOffset ProposedAt { get; set; }
    /// <summary>The earliest date asked for; it moves later if a notice reaches a client late.</summary>
    public DateTimeOffset EffectiveAt { get; set; }
    public string Status { get; set; } = Pending;
    public DateTimeOffset? TookEffectAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<SubProcessorChange>(e =>
    {
        e.HasIndex(c => new { c.Status, c.EffectiveAt });
        e.Property(c => c.Status).HasMaxLength(20);
    });
}

/// <summary>One client's notice of a change; its receipt is the delivery of its outbox message.</summary>
public sealed class ChangeNotice : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid ChangeId { get; set; }
    public Guid OutboxMessageId { get; set; }
    public DateTimeOffset SentAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ChangeNotice>(e =>
    {
        e.HasIndex(n => new { n.ChangeId, n.ClientId }).IsUnique();
        e.HasIndex(n => n.ClientId);
    });
}

/// <summary>A client's objection to a change (G-13): until answered, none of its data flows to the new sub-processor.</summary>
public sealed class Objection : ITenantOwned
{
    public const string Open = "open";
    public const string Resolved = "resolved";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid ChangeId { get; set; }
    /// <summary>The client's reasons: company text, not about a data subject.</summary>
    public required string Reason { get; set; }
    public DateTimeOffset ObjectedAt { get; set; }
    public string Status { get; set; } = Open;
    /// <summary>"alternative" (the client's data stays away from it), "withdrawn" (the client accepts it) or "terminated".</summary>
    public string? Outcome { get; set; }
    public string? Answer { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Objection>(e =>
    {
        e.HasIndex(o => new { o.ChangeId, o.ClientId }).IsUnique();
        e.Property(o => o.Reason).HasMaxLength(2000);
        e.Property(o => o.Status).HasMaxLength(20);
        e.Property(o => o.Outcome).HasMaxLength(20);
        e.Property(o => o.Answer).HasMaxLength(2000);
    });
}

/// <summary>A client's documented instruction allowing transfers to a country on a mechanism (G-17): "dpf" or "sccs".</summary>
public sealed class TransferInstruction : ITenantOwned
{
    public Guid ClientId { get; set; }
    public required string Country { get; set; }
    public required string Mechanism { get; set; }
    public DateTimeOffset RecordedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<TransferInstruction>(e =>
    {
        e.HasKey(i => new { i.ClientId, i.Country, i.Mechanism });
        e.Property(i => i.Country).HasMaxLength(2);
        e.Property(i => i.Mechanism).HasMaxLength(10);
    });
}

/// <summary>
/// One sub-processor's part of an erasure (P-09): sent through its connector by the outbox job, retried with
/// backoff, complete with the vendor's receipt. The identifier to erase is sealed under the request's own key,
/// destroyed once the vendor confirms.
/// </summary>
public sealed class ErasureRequest : ITenantOwned
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Confirmed = "confirmed";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid ContactId { get; set; }
    public Guid SubProcessorId { get; set; }
    [PersonalData] public byte[]? EmailSealed { get; set; }
    public string Status { get; set; } = Pending;
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }
    public DateTimeOffset? EscalatedAt { get; set; }
    public string? VendorJobId { get; set; }
    public string? LastResponse { get; set; }
    /// <summary>SHA-256 of the one-time confirmation token of a manual task.</summary>
    public byte[]? ConfirmationHash { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ErasureRequest>(e =>
    {
        e.HasIndex(r => new { r.Status, r.NextAttemptAt });
        e.HasIndex(r => new { r.ClientId, r.ContactId });
        e.HasIndex(r => r.ConfirmationHash);
        e.Property(r => r.Status).HasMaxLength(20);
        e.Property(r => r.VendorJobId).HasMaxLength(200);
        e.Property(r => r.LastResponse).HasMaxLength(500);
    });
}
