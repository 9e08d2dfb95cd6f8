using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Instructions;

/// <summary>
/// A staff member's flag that a client's instruction appears to break the law (P-33, G-05, G-18). The client is told
/// at once; work under the flagged purpose is held until the flag is resolved.
/// </summary>
public sealed class InstructionFlag : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Instruction { get; set; }
    public string? PurposeCode { get; set; }
    public required string Reason { get; set; }
    public required string FlaggedBy { get; set; }
    public DateTimeOffset FlaggedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? Resolution { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<InstructionFlag>(e =>
    {
        e.HasIndex(f => f.ClientId);
        e.Property(f => f.Instruction).HasMaxLength(4000);
        e.Property(f => f.PurposeCode).HasMaxLength(60);
        e.Property(f => f.Reason).HasMaxLength(4000);
        e.Property(f => f.FlaggedBy).HasMaxLength(100);
        e.Property(f => f.Resolution).HasMaxLength(4000);
    });
}
