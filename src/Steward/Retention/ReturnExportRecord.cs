using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Retention;

/// <summary>One return of a client's data at termination (G-21), counted: beyond the free ones it is billable.</summary>
public sealed class ReturnExportRecord : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>1 for the client's first return export, 2 for the second, …</summary>
    public int Number { get; set; }
    public required string Format { get; set; }
    public int Contacts { get; set; }
    public bool Billable { get; set; }
    public DateTimeOffset At { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ReturnExportRecord>(e =>
    {
        e.HasIndex(r => new { r.ClientId, r.Number }).IsUnique();
        e.Property(r => r.Format).HasMaxLength(10);
    });
}
