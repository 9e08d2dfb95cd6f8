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
    /// <summary>A change the law drives (G-01): it binds every notified client at its effective date, acceptance or not.</summary>
    public bool LawDriven { get; set; }
    /// <summary>Why the text changed, in writing (G-23); null for the shipped templates.</summary>
    public string? Rationale { get; set; }
    /// <summary>The authorised staff member who published it (G-23); null for the shipped templates.</summary>
    public string? PublishedBy { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Agreement>(e =>
    {
        e.HasIndex(a => new { a.Document, a.Version }).IsUnique();
        e.Property(a => a.Document).HasMaxLength(50);
        e.Property(a => a.Version).HasMaxLength(50);
        e.Property(a => a.Title).HasMaxLength(200);
        e.Property(a => a.BodySha256).HasMaxLength(64);
        e.Property(a => a.Rationale).HasMaxLength(2000);
        e.Property(a => a.PublishedBy).HasMaxLength(100);
    });
}

/// <summary>
/// A client's acceptance of one document version: who, when, from where, how (P-05). Methods: "click-through"
/// (sign-up), "api" (a later version accepted by the client's system), "signed-copy" and "e-signature" (G-50).
/// </summary>
public sealed class Acceptance : ITenantOwned
{
    public const string ClickThrough = "click-through";
    public const string Api = "api";
    public const string SignedCopy = "signed-copy";
    public const string ESignature = "e-signature";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>The client user who accepted; null for an API key's or a signature the processor recorded.</summary>
    public Guid? UserId { get; set; }
    public Guid AgreementId { get; set; }
    public required string Document { get; set; }
    public required string Version { get; set; }
    public required string Method { get; set; }
    public DateTimeOffset AcceptedAt { get; set; }
    [PersonalData] public byte[]? IpAddressSealed { get; set; }
    [PersonalData] public byte[]? UserAgentSealed { get; set; }
    /// <summary>"sha256:…" of the uploaded signed copy, the e-signature provider's evidence, or who accepted: "api-key:…", "client-user:…".</summary>
    public string? Evidence { get; set; }
    /// <summary>The authorised staff member who recorded a signature (G-23).</summary>
    public string? RecordedBy { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Acceptance>(e =>
    {
        e.HasIndex(a => a.ClientId);
        e.HasOne<Agreement>().WithMany().HasForeignKey(a => a.AgreementId).OnDelete(DeleteBehavior.Restrict);
        e.Property(a => a.Document).HasMaxLength(50);
        e.Property(a => a.Version).HasMaxLength(50);
        e.Property(a => a.Method).HasMaxLength(30);
        e.Property(a => a.Evidence).HasMaxLength(500);
        e.Property(a => a.RecordedBy).HasMaxLength(100);
    });
}

/// <summary>
/// A new version announced to one client (P-48, G-24): one row per mail in the outbox, whose delivery time is the
/// client's receipt of the written notice.
/// </summary>
public sealed class AgreementNotice : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid AgreementId { get; set; }
    public Guid MessageId { get; set; }
    public DateTimeOffset SentAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<AgreementNotice>(e =>
    {
        e.HasIndex(n => new { n.ClientId, n.AgreementId });
        e.HasOne<Agreement>().WithMany().HasForeignKey(n => n.AgreementId).OnDelete(DeleteBehavior.Restrict);
    });
}
