using Microsoft.EntityFrameworkCore;
using Steward.Crypto;

namespace Steward.Audit;

/// <summary>
/// One access or attempted access: who, which client, what, which record, from where, when, and the outcome.
/// Ids and action codes only, never field values. The source IP is personal data, sealed under the month's
/// audit key so that the retention job can shred a whole month at once. Chained by SHA-256.
/// </summary>
public sealed class AuditEvent
{
    public long Seq { get; set; }
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
    public byte[] PrevHash { get; set; } = [];
    public byte[] Hash { get; set; } = [];

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<AuditEvent>(e =>
        {
            e.HasKey(a => a.Seq);
            e.Property(a => a.Seq).ValueGeneratedNever();
            e.HasIndex(a => new { a.ClientId, a.Seq });
            e.HasIndex(a => a.At);
            e.Property(a => a.ActorType).HasMaxLength(20);
            e.Property(a => a.ActorId).HasMaxLength(100);
            e.Property(a => a.Action).HasMaxLength(100);
            e.Property(a => a.ResourceType).HasMaxLength(50);
            e.Property(a => a.ResourceId).HasMaxLength(100);
            e.Property(a => a.Outcome).HasMaxLength(20);
            e.Property(a => a.CorrelationId).HasMaxLength(100);
            e.Property(a => a.Reason).HasMaxLength(200);
        });
        model.Entity<AuditChainHead>(e => e.Property(h => h.Id).ValueGeneratedNever());
        model.Entity<AuditCheckpoint>(e => e.Property(h => h.Id).ValueGeneratedNever());
    }
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
