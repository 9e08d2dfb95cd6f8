using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Requests;

/// <summary>
/// An access or portability package waiting to be downloaded, once, through a short-lived signed link. Sealed under
/// a key of its own, which is destroyed at the download: afterwards no copy of the row can be read.
/// </summary>
public sealed class RequestExport : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid RequestId { get; set; }
    public Guid? ContactId { get; set; }
    public required string Format { get; set; }
    [PersonalData] public byte[]? PackageSealed { get; set; }
    /// <summary>1 for the subject's first copy (free, Art. 15(3)); later copies are counted.</summary>
    public int Copy { get; set; }
    public int Records { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? DownloadedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<RequestExport>(e =>
    {
        e.HasIndex(x => new { x.ClientId, x.ContactId });
        e.Property(x => x.Format).HasMaxLength(10);
    });
}
