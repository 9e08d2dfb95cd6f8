using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Widgets;

/// <summary>A client's form on its own site: which fields it collects and which consents it asks for.</summary>
public sealed class Widget : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Name { get; set; }
    public int CurrentVersion { get; set; }
    /// <summary>Origins allowed to post submissions from a browser (CORS), space-separated.</summary>
    public string AllowedOrigins { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<Widget>(e =>
        {
            e.HasIndex(w => w.ClientId);
            e.Property(w => w.Name).HasMaxLength(200);
            e.Property(w => w.AllowedOrigins).HasMaxLength(2000);
        });
        model.Entity<WidgetVersion>(e =>
        {
            e.HasKey(v => new { v.WidgetId, v.Version });
            e.HasOne<Widget>().WithMany().HasForeignKey(v => v.WidgetId).OnDelete(DeleteBehavior.Cascade);
            e.Property(v => v.PrivacyNoticeUrl).HasMaxLength(2000);
        });
    }
}

/// <summary>
/// What a widget showed, version by version, never edited: a consent points at the version and so at the exact
/// text the subject saw.
/// </summary>
public sealed class WidgetVersion : ITenantOwned
{
    public Guid WidgetId { get; set; }
    public int Version { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>JSON array of field names.</summary>
    public required string Fields { get; set; }
    /// <summary>JSON array of <see cref="Purpose"/>.</summary>
    public required string Purposes { get; set; }
    /// <summary>The client's privacy notice, linked next to the consent boxes: part of what the subject was shown.</summary>
    public string? PrivacyNoticeUrl { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <param name="Marketing">Direct marketing (Art. 21(2)): withdrawn by an objection, and held back for a suppressed subject.
    /// Versions made before the flag existed read as marketing, the side that protects the subject.</param>
    public sealed record Purpose(string Key, string Text, bool Required, string TextSha256, bool Marketing = true);
}
