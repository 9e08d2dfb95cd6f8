using Microsoft.EntityFrameworkCore;
using Steward.Access;
using Steward.Data;

namespace Steward.Retention;

/// <summary>
/// An authorised destruction (P-26, P-09, P-47): a scope — a whole client, or some of its contacts — destroyed only
/// after a CEO and a DPO approve it, live data and keys, then verified by a residual scan of every store. It stays
/// open while the scan finds anything; its report is the client's proof.
/// </summary>
public sealed class Destruction : ITenantOwned, IDualApproval
{
    public const string ClientScope = "client";
    public const string ContactsScope = "contacts";

    public const string AwaitingApproval = "awaiting-approval";
    /// <summary>Approved, but a legal hold covers the scope: it runs once the hold is lifted.</summary>
    public const string Held = "held";
    public const string Destroying = "destroying";
    public const string ResidueFound = "residue-found";
    public const string Completed = "completed";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Scope { get; set; }
    /// <summary>The contacts of a contacts scope, comma-separated ids (never their data).</summary>
    public string? ContactIds { get; set; }
    public required string Reason { get; set; }
    public string Status { get; set; } = AwaitingApproval;
    /// <summary>Null: the client itself chose destruction at termination (P-47).</summary>
    public Guid? RequestedBy { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public Guid? CeoApprovedBy { get; set; }
    public DateTimeOffset? CeoApprovedAt { get; set; }
    public Guid? DpoApprovedBy { get; set; }
    public DateTimeOffset? DpoApprovedAt { get; set; }
    /// <summary>
    /// What the residual scan looks for — the scope's ids, blind indexes and plain values — sealed under the
    /// destruction's own key (<see cref="Id"/> in the key store), which is destroyed with this column once the scan is clean.
    /// </summary>
    [Crypto.PersonalData] public byte[]? IdentifiersSealed { get; set; }
    public DateTimeOffset? DestroyedAt { get; set; }
    public int ContactsDestroyed { get; set; }
    public long KeysDestroyed { get; set; }
    /// <summary>The ids of the subject keys destroyed (a key's id is its subject's id), comma-separated.</summary>
    public string? KeyIds { get; set; }
    /// <summary>The last scan's hits per store, as JSON: {"database":0,"outbox":0,…}.</summary>
    public string? ScanCounts { get; set; }
    public int Scans { get; set; }
    public DateTimeOffset? LastScanAt { get; set; }
    /// <summary>"automated" or the staff member who ran the re-scan that closed it.</summary>
    public string? VerifiedBy { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    public IReadOnlyList<Guid> ContactList =>
        ContactIds is null ? [] : [.. ContactIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)];

    internal static void Configure(ModelBuilder model) => model.Entity<Destruction>(e =>
    {
        e.HasIndex(d => new { d.ClientId, d.RequestedAt });
        e.HasIndex(d => d.Status);
        e.Property(d => d.Scope).HasMaxLength(20);
        e.Property(d => d.Status).HasMaxLength(20);
        e.Property(d => d.Reason).HasMaxLength(500);
        e.Property(d => d.VerifiedBy).HasMaxLength(64);
    });
}
