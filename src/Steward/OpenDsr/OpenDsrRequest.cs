using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.OpenDsr;

/// <summary>
/// What the OpenDSR protocol adds to a <see cref="Requests.SubjectRequest"/> of the same id: the controller's
/// <c>subject_request_id</c> (the idempotency key), the exact request bytes (returned as <c>encoded_request</c>) and
/// the callback URLs, sealed under the request's key, and a keyed hash of type and identities that finds a request
/// already in progress for the same subject.
/// </summary>
public sealed class OpenDsrRequest : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid SubjectRequestId { get; set; }
    /// <summary>v1 (OpenGDPR names) or v2: decides the header names of its callbacks.</summary>
    public required string ApiVersion { get; set; }
    public required string Regulation { get; set; }
    public required byte[] BodySha256 { get; set; }
    /// <summary>HMAC of the type and the normalised identities under a vault secret and the client.</summary>
    public required byte[] DedupIndex { get; set; }
    [PersonalData] public required byte[] RequestSealed { get; set; }
    [PersonalData] public byte[]? CallbackUrlsSealed { get; set; }
    /// <summary>The access package behind the results URL, and the link itself (a bearer secret, so sealed).</summary>
    public Guid? ResultsExportId { get; set; }
    [PersonalData] public byte[]? ResultsUrlSealed { get; set; }
    public int? ResultsCount { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<OpenDsrRequest>(e =>
        {
            e.HasIndex(r => new { r.ClientId, r.SubjectRequestId }).IsUnique();
            e.HasIndex(r => new { r.ClientId, r.DedupIndex });
            e.Property(r => r.ApiVersion).HasMaxLength(5);
            e.Property(r => r.Regulation).HasMaxLength(10);
        });
        model.Entity<OpenDsrCallback>(e =>
        {
            e.HasIndex(c => new { c.Status, c.NextAttemptAt });
            e.HasIndex(c => c.RequestId);
            e.Property(c => c.Status).HasMaxLength(20);
            e.Property(c => c.RequestStatus).HasMaxLength(20);
            e.Property(c => c.LastError).HasMaxLength(200);
        });
    }
}

/// <summary>
/// One status callback to one URL (OpenDSR 8.5), in the outbox: written with the status change, sent at least once,
/// retried with a doubling wait, signed at sending. Its body names a results URL, so it is sealed under the request's key.
/// Not tenant-filtered: the delivery job works across clients.
/// </summary>
public sealed class OpenDsrCallback
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid RequestId { get; set; }
    public required string RequestStatus { get; set; }
    [PersonalData] public required byte[] UrlSealed { get; set; }
    [PersonalData] public required byte[] BodySealed { get; set; }
    public string Status { get; set; } = Pending;
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}
