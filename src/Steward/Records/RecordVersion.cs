using Microsoft.EntityFrameworkCore;

namespace Steward.Records;

/// <summary>
/// One version of a record of processing (Art. 30(3): in writing, electronic form). A new version is kept whenever the
/// generated content differs from the last, so the history shows how the record changed and when.
/// </summary>
public sealed class RecordVersion
{
    public Guid Id { get; set; }
    /// <summary>"processor" (Art. 30(2)) or "controller" (Art. 30(1)).</summary>
    public required string Kind { get; set; }
    public int Version { get; set; }
    public required string Sha256 { get; set; }
    public required string Content { get; set; }
    public DateTimeOffset GeneratedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<RecordVersion>(e =>
    {
        e.HasIndex(r => new { r.Kind, r.Version }).IsUnique();
        e.Property(r => r.Kind).HasMaxLength(20);
        e.Property(r => r.Sha256).HasMaxLength(64);
    });
}
