using System.Globalization;
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
/// A team member signs in with email, password and, once they enrolled it, a TOTP code (accepted once, within one
/// step) or one of their recovery codes (each works once). Lockout as for staff (<see cref="Lockout"/>); the per-IP limit is the sign-in rate limit. Every attempt,
/// unknown accounts included, is an audit event with the IP (G-47).
/// </summary>
public sealed class ClientSignIn(StewardDb db, KeyVault vault, BlindIndex index, IPasswordHasher<ClientUser> hasher,
    AuditLog audit, AuditContext actor, IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Email, string? Password, string? Code, string? RecoveryCode);
    public sealed record Response(string Token, Guid SessionId, Guid UserId, Guid ClientId, string Role, DateTimeOffset ExpiresAt);

    private const string Wrong = "The email address, the password or the code is wrong.";

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var emailIndex = string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 254 ? null : await index.EmailAsync(Guid.Empty, request.Email, ct);
        await using var write = await db.BeginWriteAsync(ct);
        // the account's row lock before the read, as for staff (SignIn): a burst of guesses cannot outrun the lockout
        if (emailIndex is not null)
            await db.ClientUsers.IgnoreQueryFilters().Where(u => u.EmailIndex == emailIndex)
                .ExecuteUpdateAsync(x => x.SetProperty(u => u.FailedSignIns, u => u.FailedSignIns), ct);
        var user = emailIndex is null ? null
            : await db.ClientUsers.IgnoreQueryFilters().SingleOrDefaultAsync(u => u.EmailIndex == emailIndex && u.RemovedAt == null && u.PasswordHash != null, ct);
        if (user is null)
        {
            // the same answer, and the same work, as for a wrong password: nothing tells which accounts exist
            hasher.VerifyHashedPassword(Dummy, DummyHash.Value, request.Password ?? "");
            return await RefuseAsync(write, null, "unknown-account", Errors.Unauthorized(Wrong), ct);
        }
        actor.ClientId = user.ClientId;
        if (user.LockedUntil > now)
            return await RefuseAsync(write, user, "locked", Errors.TooManyAttempts(
                $"Too many failed sign-ins: the account is locked until {user.LockedUntil.Value.ToString("u", CultureInfo.InvariantCulture)}."), ct);

        var verified = hasher.VerifyHashedPassword(user, user.PasswordHash!, request.Password ?? "");
        if (verified == PasswordVerificationResult.Failed) return await FailAsync(write, user, "wrong-password", now, ct);
        if (verified == PasswordVerificationResult.SuccessRehashNeeded) user.PasswordHash = hasher.HashPassword(user, request.Password!);
        if (user.TotpSecretSealed is not null)
        {
            if (!string.IsNullOrEmpty(request.Code))
            {
                using var key = await vault.OpenAsync(user.ClientId, user.Id, ct) ?? throw new InvalidOperationException("The user's key is missing.");
                if (Lockout.AcceptTotp(user, key.Open("totp", user.TotpSecretSealed), request.Code, now) is null)
                    return await FailAsync(write, user, "wrong-code", now, ct);
            }
            else if (!string.IsNullOrEmpty(request.RecoveryCode))
            {
                var hash = Credentials.HashRecoveryCode(request.RecoveryCode);
                var used = await db.ClientRecoveryCodes.IgnoreQueryFilters().Where(r => r.UserId == user.Id && r.Hash == hash && r.UsedAt == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.UsedAt, now), ct);
                if (used == 0) return await FailAsync(write, user, "wrong-recovery-code", now, ct);
            }
            else
            {
                return await RefuseAsync(write, user, "code-required", Errors.Unauthorized("Give the code from your authenticator app (or a recovery code)."), ct);
            }
        }

        Lockout.Succeed(user);
        var (token, tokenHash) = Credentials.NewToken(ClientUserAuthentication.TokenPrefix);
        var session = new ClientSession
        {
            Id = Guid.CreateVersion7(),
            ClientId = user.ClientId,
            UserId = user.Id,
            TokenHash = tokenHash,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + options.Value.SessionLifetime,
        };
        db.ClientSessions.Add(session);
        actor.ActorType = "client-user";
        actor.ActorId = user.Id.ToString();
        await audit.RecordAsync(db, "ClientSignIn", "user", user.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return new Response(token, session.Id, user.Id, user.ClientId, user.Role, session.ExpiresAt);
    }

    private async Task<Result<Response>> FailAsync(WriteScope write, ClientUser user, string why, DateTimeOffset now, CancellationToken ct)
    {
        Lockout.Fail(user, options.Value, now);
        return await RefuseAsync(write, user, why, Errors.Unauthorized(Wrong), ct);
    }

    private async Task<Result<Response>> RefuseAsync(WriteScope write, ClientUser? user, string why, Error error, CancellationToken ct)
    {
        await audit.RecordAsync(db, "ClientSignIn:" + why, "user", user?.Id.ToString(), ct, outcome: "refused",
            status: error is TooManyAttemptsError ? 429 : 401);
        await write.CommitAsync(ct);
        return error;
    }

    private static readonly ClientUser Dummy = new() { Role = "", NameSealed = [], EmailSealed = [], EmailIndex = [] };
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<ClientUser>().HashPassword(Dummy, Guid.NewGuid().ToString()));
}
