using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Inspections;

public sealed class InspectionOptions
{
    /// <summary>`audit.routineFrequency` default: months between routine audits per client; 0 = no limit (G-19). Personizely: 12.</summary>
    public int RoutineIntervalMonths { get; set; } = 12;
}

/// <summary>
/// A client's request to audit the processor (P-45, G-19, Art. 28(3)(h)), for a period. A routine one is limited by the
/// client's terms; one on a substantiated allegation of misuse is always allowed. The auditor is a firm, bound by a
/// recorded NDA.
/// </summary>
public sealed class Inspection : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>"routine" or "allegation".</summary>
    public required string Kind { get; set; }
    public required string AuditorFirm { get; set; }
    public string? NdaReference { get; set; }
    public string? Allegation { get; set; }
    public DateTimeOffset PeriodFrom { get; set; }
    public DateTimeOffset PeriodTo { get; set; }
    public DateTimeOffset RequestedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Inspection>(e =>
    {
        e.HasIndex(i => new { i.ClientId, i.RequestedAt });
        e.Property(i => i.Kind).HasMaxLength(20);
        e.Property(i => i.AuditorFirm).HasMaxLength(200);
        e.Property(i => i.NdaReference).HasMaxLength(200);
        e.Property(i => i.Allegation).HasMaxLength(4000);
    });
}
