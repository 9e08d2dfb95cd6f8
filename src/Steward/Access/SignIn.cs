using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// A staff member signs in with email, password and a TOTP code (or a recovery code) and gets a bearer token:
/// 256 random bits, stored hashed. Every attempt, unknown accounts included, is an audit event with the IP (G-47).
/// Five failures in a row lock the account, for one minute, then twice as long at each further lockout (G-30).
/// A TOTP code is accepted within one 30-second step either way and only once (ASVS V2.8.4).
/// </summary>
public sealed class SignIn(StewardDb db, KeyVault vault, BlindIndex index, IPasswordHasher<StaffMember> hasher, RoleMatrix matrix,
    AuditLog audit, AuditContext actor, IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Email, string? Password, string? Code, string? RecoveryCode);
    public sealed record Response(string Token, Guid SessionId, Guid StaffId, string Role, DateTimeOffset ExpiresAt);

    private const string Wrong = "The email address, the password or the code is wrong.";

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var emailIndex = string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 254 ? null : await index.EmailAsync(Guid.Empty, request.Email, ct);
        await using var write = await db.BeginWriteAsync(ct);
        // the account's row lock, taken before the read and held to the commit: concurrent wrong passwords are
        // counted one after another, so a burst cannot outrun the lockout (PostgreSQL; SQLite writes one at a time)
        if (emailIndex is not null)
            await db.StaffMembers.Where(s => s.EmailIndex == emailIndex).ExecuteUpdateAsync(u => u.SetProperty(s => s.FailedSignIns, s => s.FailedSignIns), ct);
        var member = emailIndex is null ? null
            : await db.StaffMembers.SingleOrDefaultAsync(s => s.EmailIndex == emailIndex && s.DisabledAt == null && s.PasswordHash != null, ct);
        if (member is null)
        {
            // the same answer, and the same work, as for a wrong password: nothing tells which accounts exist
            hasher.VerifyHashedPassword(Dummy, DummyHash.Value, request.Password ?? "");
            return await RefuseAsync(write, null, "unknown-account", Errors.Unauthorized(Wrong), ct);
        }
        if (member.LockedUntil > now)
            return await RefuseAsync(write, member, "locked", Errors.TooManyAttempts(
                $"Too many failed sign-ins: the account is locked until {member.LockedUntil.Value.ToString("u", CultureInfo.InvariantCulture)}."), ct);

        var verified = hasher.VerifyHashedPassword(member, member.PasswordHash!, request.Password ?? "");
        if (verified == PasswordVerificationResult.Failed) return await FailAsync(write, member, "wrong-password", now, ct);
        if (verified == PasswordVerificationResult.SuccessRehashNeeded) member.PasswordHash = hasher.HashPassword(member, request.Password!);

        if (member.TotpSecretSealed is null)
        {
            if (matrix.Role(member.Role).Admin)
                return await RefuseAsync(write, member, "no-second-factor", Errors.Forbidden("This role needs two-factor authentication, and none is set up."), ct);
        }
        else if (!string.IsNullOrEmpty(request.Code))
        {
            using var key = await vault.OpenAsync(Guid.Empty, member.Id, ct) ?? throw new InvalidOperationException("The staff member's key is missing.");
            var secret = key.Open("totp", member.TotpSecretSealed);
            if (Lockout.AcceptTotp(member, secret, request.Code, now) is null)
                return await FailAsync(write, member, Credentials.TotpStep(secret, request.Code, now) is null ? "wrong-code" : "replayed-code", now, ct);
        }
        else if (!string.IsNullOrEmpty(request.RecoveryCode))
        {
            var hash = Credentials.HashRecoveryCode(request.RecoveryCode);
            var used = await db.RecoveryCodes.Where(r => r.StaffId == member.Id && r.Hash == hash && r.UsedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.UsedAt, now), ct);
            if (used == 0) return await FailAsync(write, member, "wrong-recovery-code", now, ct);
        }
        else
        {
            return await RefuseAsync(write, member, "code-required", Errors.Unauthorized("Give the code from your authenticator app (or a recovery code)."), ct);
        }

        Lockout.Succeed(member);
        var (token, tokenHash) = Credentials.NewToken();
        var session = new StaffSession
        {
            Id = Guid.CreateVersion7(),
            StaffId = member.Id,
            TokenHash = tokenHash,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + options.Value.SessionLifetime,
        };
        db.StaffSessions.Add(session);
        actor.ActorType = "staff";
        actor.ActorId = member.Id.ToString();
        await audit.RecordAsync(db, "StaffSignIn", "staff", member.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return new Response(token, session.Id, member.Id, member.Role, session.ExpiresAt);
    }

    private async Task<Result<Response>> FailAsync(WriteScope write, StaffMember member, string why, DateTimeOffset now, CancellationToken ct)
    {
        Lockout.Fail(member, options.Value, now);
        return await RefuseAsync(write, member, why, Errors.Unauthorized(Wrong), ct);
    }

    private async Task<Result<Response>> RefuseAsync(WriteScope write, StaffMember? member, string why, Error error, CancellationToken ct)
    {
        await audit.RecordAsync(db, "StaffSignIn:" + why, "staff", member?.Id.ToString(), ct, outcome: "refused",
            status: error is TooManyAttemptsError ? 429 : error is ForbiddenError ? 403 : 401);
        await write.CommitAsync(ct);
        return error;
    }

    private static readonly StaffMember Dummy = new() { Role = "", NameSealed = [], EmailSealed = [], EmailIndex = [] };
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<StaffMember>().HashPassword(Dummy, Guid.NewGuid().ToString()));
}
