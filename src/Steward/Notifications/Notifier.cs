using Steward.Crypto;
using Steward.Data;

namespace Steward.Notifications;

/// <summary>
/// Puts a message in the outbox inside the caller's unit of work: it is sent if, and only if, the change that
/// caused it commits. Call it between <see cref="StewardDb.BeginWriteAsync"/> and the commit.
/// </summary>
public sealed class Notifier(KeyVault vault, TimeProvider clock)
{
    public sealed record Message(string Kind, Guid? ClientId, string To, string Subject, string Body);

    /// <summary>The key store namespace of the messages' keys, for a caller that makes a message's key with others (<see cref="Enqueue"/>).</summary>
    public static readonly Guid KeyOwner = Guid.Empty;

    /// <returns>The outbox message's id: its delivery time is the receipt of a written notice.</returns>
    public async Task<Guid> EnqueueAsync(StewardDb db, Message message, CancellationToken ct)
    {
        // the message's own key, in the vault before the sealed row exists (an orphan key is harmless)
        using var key = await vault.CreateAsync(KeyOwner, Guid.CreateVersion7(), ct);
        return Enqueue(db, message, key);
    }

    /// <summary>As <see cref="EnqueueAsync"/>, with a key already in the vault (owner <see cref="KeyOwner"/>): its subject is the message's id.</summary>
    public Guid Enqueue(StewardDb db, Message message, DataKey key)
    {
        var now = clock.GetUtcNow();
        db.OutboxMessages.Add(new OutboxMessage
        {
            Id = key.SubjectId,
            Kind = message.Kind,
            ClientId = message.ClientId,
            CreatedAt = now,
            NextAttemptAt = now,
            ToSealed = key.Seal("to", System.Text.Encoding.UTF8.GetBytes(message.To)),
            SubjectSealed = key.Seal("subject", System.Text.Encoding.UTF8.GetBytes(message.Subject)),
            BodySealed = key.Seal("body", System.Text.Encoding.UTF8.GetBytes(message.Body)),
        });
        return key.SubjectId;
    }
}
