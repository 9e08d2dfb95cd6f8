using Microsoft.EntityFrameworkCore;
using Steward.Consents;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;
using Steward.Notifications;

namespace Steward.Team;

/// <summary>
/// G-43: the processor's messages to a client's users to improve their use of the product, possibly chosen by the
/// users' behaviour. They run only under the product-messages purpose (so only where the DPA allows them, and they
/// show in the record of processing), and never reach a user on the client's suppression list: a user's opt-out
/// puts their address there, as an objection does (G-42).
/// </summary>
public sealed class ProductMessages(StewardDb db, KeyVault vault, BlindIndex index, PurposeGate gate, Notifier notifier, TimeProvider clock)
{
    public const string Kind = "product-message";

    public sealed record Outcome(int Sent, int OptedOut);
    public sealed record OptedOut(Guid UserId, DateTimeOffset At);

    /// <summary>Mails the message to the given active users of the client (all of them if none is named).</summary>
    public async Task<Result<Outcome>> SendAsync(Guid clientId, string subject, string body, IReadOnlyCollection<Guid>? userIds, CancellationToken ct)
    {
        if (await gate.CheckAsync(db, clientId, Purposes.ProductMessages, ct) is { } refused) return refused;
        var users = await db.ClientUsers.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.ClientId == clientId && u.RemovedAt == null && u.PasswordHash != null && (userIds == null || userIds.Contains(u.Id)))
            .OrderBy(u => u.CreatedAt).ToListAsync(ct);
        var keys = await vault.OpenManyAsync(clientId, users.Select(u => u.Id).ToList(), ct);
        try
        {
            int sent = 0, optedOut = 0;
            await using var write = await db.BeginWriteAsync(ct);
            foreach (var user in users.Where(u => keys.ContainsKey(u.Id)))
            {
                var email = keys[user.Id].OpenString("email", user.EmailSealed)!;
                var emailIndex = await index.EmailAsync(clientId, email, ct);
                if (await db.Suppressions.IgnoreQueryFilters().AnyAsync(s => s.ClientId == clientId && s.Kind == Suppression.Email && s.Index == emailIndex, ct))
                {
                    optedOut++;
                    continue;
                }
                await notifier.EnqueueAsync(db, new Notifier.Message(Kind, clientId, email, subject,
                    body + "\n\nTo receive no more of these tips, sign in and POST /v1/client-users/me/product-messages/opt-out."), ct);
                sent++;
            }
            await write.CommitAsync(ct);
            return new Outcome(sent, optedOut);
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }

    /// <summary>The signed-in user opts out: their address joins the client's suppression list, by its blind index only.</summary>
    public async Task<Result<OptedOut>> OptOutAsync(ClientCaller me, CancellationToken ct)
    {
        if (me.UserId is not { } userId) return Errors.Invalid("caller", "Only a signed-in person opts out, not an API key.");
        var user = await db.ClientUsers.IgnoreQueryFilters().AsNoTracking().SingleAsync(u => u.Id == userId && u.ClientId == me.ClientId, ct);
        using var key = await vault.OpenAsync(me.ClientId, userId, ct) ?? throw new InvalidOperationException("The user's key is missing.");
        var emailIndex = (await index.EmailAsync(me.ClientId, key.OpenString("email", user.EmailSealed), ct))!;
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        await Suppression.AddAsync(db, me.ClientId, [(Suppression.Email, emailIndex)], null, now, ct);
        await write.CommitAsync(ct);
        return new OptedOut(userId, now);
    }
}
