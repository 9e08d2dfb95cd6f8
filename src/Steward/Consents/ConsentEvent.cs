using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Consents;

/// <summary>
/// One event in a contact's consent history for one purpose: given or withdrawn. Events are appended, never
/// changed, so a withdrawal keeps the grant it ends (Art. 7(1), 7(3); ISO/IEC TS 27560 event model).
/// </summary>
public sealed class ConsentEvent : ITenantOwned
{
    public const string Given = "given";
    public const string Withdrawn = "withdrawn";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid ContactId { get; set; }
    public required string Purpose { get; set; }
    public required string Kind { get; set; }
    public required string Method { get; set; }
    public Guid? WidgetId { get; set; }
    public int? WidgetVersion { get; set; }
    /// <summary>SHA-256 of the exact purpose text shown, as proof that it is the one stored with the widget version.</summary>
    public string? TextSha256 { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>For consent collected outside Steward (method "import"): where and how, as the client reported it.</summary>
    public string? Evidence { get; set; }
    [PersonalData] public byte[]? IpAddressSealed { get; set; }
    [PersonalData] public byte[]? UserAgentSealed { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ConsentEvent>(e =>
    {
        e.HasIndex(c => new { c.ClientId, c.ContactId });
        e.Property(c => c.Purpose).HasMaxLength(64);
        e.Property(c => c.Kind).HasMaxLength(20);
        e.Property(c => c.Method).HasMaxLength(20);
        e.Property(c => c.TextSha256).HasMaxLength(64);
        e.Property(c => c.Evidence).HasMaxLength(200);
    });
}
