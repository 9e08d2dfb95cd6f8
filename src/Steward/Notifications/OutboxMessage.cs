using Microsoft.EntityFrameworkCore;
using Steward.Crypto;

namespace Steward.Notifications;

/// <summary>
/// A message to send (mail), written in the same transaction as the change that causes it and delivered at least
/// once by the delivery job. Recipient, subject and body are personal data: sealed under a key
/// of the message's own, which is destroyed once the message is delivered, so the outbox keeps no readable copy.
/// </summary>
public sealed class OutboxMessage
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public Guid Id { get; set; }
    /// <summary>What it is, for operators and tests: "export-alert", "verification-code", "invitation", …</summary>
    public required string Kind { get; set; }
    /// <summary>The client it concerns, if any (not a tenant filter: the delivery job works across clients).</summary>
    public Guid? ClientId { get; set; }
    [PersonalData] public required byte[] ToSealed { get; set; }
    [PersonalData] public required byte[] SubjectSealed { get; set; }
    [PersonalData] public required byte[] BodySealed { get; set; }
    public string Status { get; set; } = Pending;
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<OutboxMessage>(e =>
    {
        e.HasIndex(m => new { m.Status, m.NextAttemptAt });
        e.Property(m => m.Kind).HasMaxLength(50);
        e.Property(m => m.Status).HasMaxLength(20);
        e.Property(m => m.LastError).HasMaxLength(500);
    });
}
