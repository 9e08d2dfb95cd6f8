using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Agreements;

/// <summary>One version of a legal document (privacy policy, DPA, GDPR statement). Versions are never edited.</summary>
public sealed class Agreement
{
    public Guid Id { get; set; }
    public required string Document { get; set; }
    public required string Version { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public required string BodySha256 { get; set; }
    public DateTimeOffset EffectiveFrom { get; set; }
    public DateTimeOffset PublishedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Agreement>(e =>
    {
        e.HasIndex(a => new { a.Document, a.Version }).IsUnique();
        e.Property(a => a.Document).HasMaxLength(50);
        e.Property(a => a.Version).HasMaxLength(50);
        e.Property(a => a.Title).HasMaxLength(200);
        e.Property(a => a.BodySha256).HasMaxLength(64);
    });
}

/// <summary>A client's acceptance of one document version: who, when, from where, how (P-05).</summary>
public sealed class Acceptance : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid UserId { get; set; }
    public Guid AgreementId { get; set; }
    public required string Document { get; set; }
    public required string Version { get; set; }
    public required string Method { get; set; }
    public DateTimeOffset AcceptedAt { get; set; }
    [PersonalData] public byte[]? IpAddressSealed { get; set; }
    [PersonalData] public byte[]? UserAgentSealed { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Acceptance>(e =>
    {
        e.HasIndex(a => a.ClientId);
        e.HasOne<Agreement>().WithMany().HasForeignKey(a => a.AgreementId).OnDelete(DeleteBehavior.Restrict);
        e.Property(a => a.Document).HasMaxLength(50);
        e.Property(a => a.Version).HasMaxLength(50);
        e.Property(a => a.Method).HasMaxLength(30);
    });
}
