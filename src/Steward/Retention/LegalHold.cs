using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Retention;

/// <summary>
/// A legal hold (G-21): where the law or an authority requires the data kept, a hold on a client (every contact) or on
/// one contact suspends every purge of it — the grace-window purge, the trash's expiry, a destruction — until it is
/// lifted, explicitly. It never suspends a data subject's own erasure. The reason says which requirement, never who.
/// </summary>
public sealed class LegalHold : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>Null: the whole client is held.</summary>
    public Guid? ContactId { get; set; }
    public required string Reason { get; set; }
    public Guid PlacedBy { get; set; }
    public DateTimeOffset PlacedAt { get; set; }
    public Guid? LiftedBy { get; set; }
    public DateTimeOffset? LiftedAt { get; set; }
    public string? LiftReason { get; set; }

    /// <summary>Every live hold, across clients (the purge jobs run for all of them).</summary>
    public static IQueryable<LegalHold> Live(StewardDb db) => db.LegalHolds.IgnoreQueryFilters().Where(h => h.LiftedAt == null);

    /// <summary>True if a live hold covers any of the client's data: the client itself or any of its contacts.</summary>
    public static Task<bool> HoldsAnyAsync(StewardDb db, Guid clientId, CancellationToken ct) =>
        Live(db).AnyAsync(h => h.ClientId == clientId, ct);

    /// <summary>True if a live hold covers one of these contacts (or their whole client).</summary>
    public static Task<bool> HoldsAnyAsync(StewardDb db, Guid clientId, IReadOnlyCollection<Guid> contactIds, CancellationToken ct) =>
        Live(db).AnyAsync(h => h.ClientId == clientId && (h.ContactId == null || contactIds.Contains(h.ContactId.Value)), ct);

    internal static void Configure(ModelBuilder model) => model.Entity<LegalHold>(e =>
    {
        e.HasIndex(h => new { h.ClientId, h.LiftedAt });
        e.Property(h => h.Reason).HasMaxLength(500);
        e.Property(h => h.LiftReason).HasMaxLength(500);
    });
}
