using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Team;

/// <summary>
/// An owner or admin turns off another team member's two-factor after a lost authenticator (with no recovery code
/// left): secret and recovery codes go, the person's sessions end at once, and the person is told by mail, so a
/// reset they did not ask for does not go unnoticed. Only an owner resets an owner's, as only an owner changes one.
/// </summary>
public sealed class ResetClientTwoFactor(StewardDb db, KeyVault vault, Notifier notifier, AuditLog audit, TimeProvider clock)
{
    public sealed record Response(Guid Id, bool TwoFactor, int SessionsEnded);

    public async Task<Result<Response>> HandleAsync(ClientCaller by, Guid clientId, Guid userId, CancellationToken ct)
    {
        if (userId == by.UserId) return Errors.Forbidden("Nobody resets their own two-factor: sign in with a recovery code, or ask another owner or admin.");
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.SingleOrDefaultAsync(u => u.Id == userId && u.RemovedAt == null, ct);
        if (user is null) return Errors.NotFound("user");
        if (user.Role == ClientRoles.Owner && by.Role != ClientRoles.Owner) return Errors.Forbidden("Only an owner may reset an owner's two-factor.");
        if (user.TotpSecretSealed is null && user.TotpPendingSealed is null) return Errors.Conflict("This person has no two-factor sign-in to reset.");

        var now = clock.GetUtcNow();
        user.TotpSecretSealed = null;
        user.TotpPendingSealed = null;
        await db.ClientRecoveryCodes.Where(r => r.UserId == user.Id).ExecuteDeleteAsync(ct);
        var ended = await db.ClientSessions.Where(s => s.UserId == user.Id && s.EndedAt == null).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
        using (var key = await vault.OpenAsync(clientId, user.Id, ct) ?? throw new InvalidOperationException("The user's key is missing."))
            await notifier.EnqueueAsync(db, new Notifier.Message("client-two-factor-reset", clientId, key.OpenString("email", user.EmailSealed)!,
                "[Steward] Your two-factor sign-in was reset",
                """
                An owner or admin of your team turned off two-factor sign-in on your Steward account, and signed you out everywhere.

                Sign in with your password and set up two-factor again. If you did not ask for this, tell your team's owner at once.
                """), ct);
        await audit.RecordAsync(db, "ResetClientTwoFactor", "user", user.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(user.Id, false, ended);
    }
}
