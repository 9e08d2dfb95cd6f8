using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Team;

/// <summary>
/// A signed-in team member confirms a destructive action again with their password or a current TOTP code, as
/// Identity's DeletePersonalData asks the password: a session left open is not enough to erase. A wrong answer counts
/// towards the account's lockout (<see cref="Lockout"/>), so a stolen session cannot guess the password either.
/// </summary>
public sealed class ConfirmClientUser(StewardDb db, KeyVault vault, IPasswordHasher<ClientUser> hasher, AuditLog audit,
    IOptions<AccessOptions> options, TimeProvider clock)
{
    public const string Field = "confirmation";

    /// <summary>Null when the person confirmed; otherwise an error on <see cref="Field"/> (or too many attempts).</summary>
    public async Task<Error?> HandleAsync(ClientCaller me, string? secret, CancellationToken ct)
    {
        secret = secret?.Trim();
        if (string.IsNullOrEmpty(secret) || secret.Length > 1000) return Errors.Invalid(Field, "Enter your password, or the code from your authenticator app.");
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.IgnoreQueryFilters().SingleAsync(u => u.Id == me.UserId && u.ClientId == me.ClientId, ct);
        if (user.LockedUntil > now) return Errors.TooManyAttempts("Too many failed attempts: the account is locked for now.");
        var confirmed = user.PasswordHash is not null && hasher.VerifyHashedPassword(user, user.PasswordHash, secret) != PasswordVerificationResult.Failed;
        if (!confirmed && user.TotpSecretSealed is not null && secret.All(char.IsAsciiDigit))
        {
            using var key = await vault.OpenAsync(user.ClientId, user.Id, ct) ?? throw new InvalidOperationException("The user's key is missing.");
            confirmed = Lockout.AcceptTotp(user, key.Open("totp", user.TotpSecretSealed), secret, now) is not null;
        }
        if (confirmed) Lockout.Succeed(user);
        else Lockout.Fail(user, options.Value, now);
        await audit.RecordAsync(db, confirmed ? "ConfirmClientUser" : "ConfirmClientUser:wrong", "user", user.Id.ToString(), ct,
            outcome: confirmed ? "success" : "refused", status: confirmed ? 200 : 400);
        await write.CommitAsync(ct);
        return confirmed ? null : Errors.Invalid(Field, "That is not your password, nor a current code from your authenticator app.");
    }
}
