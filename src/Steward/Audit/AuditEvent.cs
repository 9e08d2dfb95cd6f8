using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore;
using Steward.Crypto;

namespace Steward.Audit;

/// <summary>
/// One access or attempted access: who, which client, what, which record, from where, when, and the outcome.
/// Ids and action codes only, never field values. The source IP is personal data, sealed under the month's
/// audit key so that the retention job can shred a whole month at once. Chained by SHA-256.
/// </summary>
public sealed class AuditEvent : AuditRecord
{
    public AuditEvent()
    {
    }

    [SetsRequiredMembers]
    public AuditEvent(AuditRecord content) : base(content)
    {
    }

    public long Seq { get; set; }
    public byte[] PrevHash { get; set; } = [];
    public byte[] Hash { get; set; } = [];

    internal static void Configure(ModelBuilder model, bool pending)
    {
        model.Entity<AuditEvent>(e =>
        {
            e.HasKey(a => a.Seq);
            e.Property(a => a.Seq).ValueGeneratedNever();
            e.HasIndex(a => new { a.ClientId, a.Seq });
            e.HasIndex(a => a.At);
            Lengths(e);
        });
        if (pending)
            model.Entity<PendingAuditEvent>(e =>
            {
                e.ToTable("AuditPending");
                Lengths(e);
            });
        model.Entity<AuditChainHead>(e => e.Property(h => h.Id).ValueGeneratedNever());
        model.Entity<AuditCheckpoint>(e => e.Property(h => h.Id).ValueGeneratedNever());
    }

    /// <summary>The text columns' lengths, the same for an event and a pending one.</summary>
    private static void Lengths<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<T> e) where T : class
    {
        foreach (var (name, length) in new[]
                 {
                     ("ActorType", 20), ("ActorId", 100), ("Action", 100), ("ResourceType", 50), ("ResourceId", 100), ("Outcome", 20),
                     ("CorrelationId", 100), ("Reason", 200),
                 })
            e.Property(name).HasMaxLength(length);
    }
}

/// <summary>What an audit event records; its hash covers this and its place in the chain.</summary>
public abstract class AuditRecord
{
    protected AuditRecord()
    {
    }

    [SetsRequiredMembers]
    protected AuditRecord(AuditRecord other)
    {
        At = other.At;
        ActorType = other.ActorType;
        ActorId = other.ActorId;
        ClientId = other.ClientId;
        Action = other.Action;
        ResourceType = other.ResourceType;
        ResourceId = other.ResourceId;
        Outcome = other.Outcome;
        Status = other.Status;
        IpAddressSealed = other.IpAddressSealed;
        CorrelationId = other.CorrelationId;
        Reason = other.Reason;
    }

    public DateTimeOffset At { get; set; }
    public required string ActorType { get; set; }
    public string? ActorId { get; set; }
    public Guid? ClientId { get; set; }
    public required string Action { get; set; }
    public string? ResourceType { get; set; }
    public string? ResourceId { get; set; }
    public required string Outcome { get; set; }
    public int Status { get; set; }
    [PersonalData] public byte[]? IpAddressSealed { get; set; }
    public string? CorrelationId { get; set; }
    /// <summary>Why a staff member acted: the reason or ticket they gave (P-22). A reference, never personal data.</summary>
    public string? Reason { get; set; }
}

/// <summary>
/// PostgreSQL: an event committed with its unit of work and not yet chained; <see cref="PostgresChain"/> moves it into
/// the chain (<see cref="AuditEvent"/>) within the same request. SQLite chains at commit and has no such table.
/// </summary>
public sealed class PendingAuditEvent : AuditRecord
{
    public PendingAuditEvent()
    {
    }

    [SetsRequiredMembers]
    public PendingAuditEvent(AuditRecord content, Guid unit) : base(content) => Unit = unit;

    public long Id { get; set; }
    /// <summary>The unit of work it was committed with: a unit's events are chained together, in the order recorded.</summary>
    public Guid Unit { get; set; }
}

/// <summary>The last sealed event of the chain: the row every writer locks to append in order.</summary>
public sealed class AuditChainHead
{
    public int Id { get; set; }
    public long Seq { get; set; }
    public byte[] Hash { get; set; } = [];
}

/// <summary>
/// Where the kept chain starts once retention has removed older events (G-47): the last removed event's sequence
/// number and hash. Verification starts from it instead of the genesis.
/// </summary>
public sealed class AuditCheckpoint
{
    public int Id { get; set; }
    public long Seq { get; set; }
    public byte[] Hash { get; set; } = [];
    public DateTimeOffset RemovedBefore { get; set; }
    /// <summary>The start of the oldest month whose IP-sealing key still exists: every older month's key is destroyed.</summary>
    public DateTimeOffset? KeysDestroyedBefore { get; set; }
}
