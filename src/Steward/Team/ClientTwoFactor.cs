using Microsoft.EntityFrameworkCore;
using OtpNet;
using Steward.Access;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Team;

/// <summary>
/// Optional two-factor for a team member: a new secret is pending until a first code from it is confirmed, so
/// nobody locks themselves out with a mistyped enrolment. From then on sign-in needs a code or one of the ten
/// recovery codes shown once at confirmation (stored hashed, each used once; regenerating replaces them all).
/// </summary>
public sealed class ClientTwoFactor(StewardDb db, KeyVault vault, AuditLog audit, TimeProvider clock)
{
    public sealed record Started(string TotpUri, string TotpSecret);
    public sealed record Confirm(string? Code);
    public sealed record Enabled(bool TwoFactor, List<string> RecoveryCodes);
    public sealed record Codes(List<string> RecoveryCodes);

    public async Task<Result<Started>> StartAsync(ClientCaller me, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.IgnoreQueryFilters().SingleAsync(u => u.Id == me.UserId, ct);
        if (user.TotpSecretSealed is not null) return Errors.Conflict("Two-factor sign-in is already on.");
        using var key = await vault.OpenAsync(user.ClientId, user.Id, ct) ?? throw new InvalidOperationException("The user's key is missing.");
        var secret = Credentials.NewTotpSecret();
        user.TotpPendingSealed = key.Seal("totp", secret);
        await audit.RecordAsync(db, "StartClientTwoFactor", "user", user.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Started(Credentials.TotpUri(secret, key.OpenString("email", user.EmailSealed)!), Base32Encoding.ToString(secret).TrimEnd('='));
    }

    public async Task<Result<Enabled>> ConfirmAsync(ClientCaller me, Confirm request, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.IgnoreQueryFilters().SingleAsync(u => u.Id == me.UserId, ct);
        if (user.TotpPendingSealed is null) return Errors.Conflict("Start the enrolment first.");
        if (!await AcceptAsync(user, user.TotpPendingSealed, request.Code, ct)) return WrongCode;
        user.TotpSecretSealed = user.TotpPendingSealed;
        user.TotpPendingSealed = null;
        var codes = await ReplaceRecoveryCodesAsync(user, ct);
        await audit.RecordAsync(db, "EnableClientTwoFactor", "user", user.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Enabled(true, codes);
    }

    /// <summary>New recovery codes, the old ones void. A current TOTP code is asked: a stolen session alone cannot mint codes.</summary>
    public async Task<Result<Codes>> RegenerateRecoveryCodesAsync(ClientCaller me, Confirm request, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.IgnoreQueryFilters().SingleAsync(u => u.Id == me.UserId, ct);
        if (user.TotpSecretSealed is null) return Errors.Conflict("Two-factor sign-in is off: recovery codes come with it.");
        if (!await AcceptAsync(user, user.TotpSecretSealed, request.Code, ct)) return WrongCode;
        var codes = await ReplaceRecoveryCodesAsync(user, ct);
        await audit.RecordAsync(db, "RegenerateClientRecoveryCodes", "user", user.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Codes(codes);
    }

    private static Error WrongCode => Errors.Invalid("code", "The code does not match (or was used already): give the current code from your authenticator app.");

    /// <summary>A valid, never-used code of the sealed secret (recorded as the last step, so it is not accepted again).</summary>
    private async Task<bool> AcceptAsync(ClientUser user, byte[] sealedSecret, string? code, CancellationToken ct)
    {
        using var key = await vault.OpenAsync(user.ClientId, user.Id, ct) ?? throw new InvalidOperationException("The user's key is missing.");
        return Lockout.AcceptTotp(user, key.Open("totp", sealedSecret), code, clock.GetUtcNow()) is not null;
    }

    private async Task<List<string>> ReplaceRecoveryCodesAsync(ClientUser user, CancellationToken ct)
    {
        var codes = Credentials.NewRecoveryCodes();
        await db.ClientRecoveryCodes.IgnoreQueryFilters().Where(r => r.UserId == user.Id).ExecuteDeleteAsync(ct);
        db.ClientRecoveryCodes.AddRange(codes.Select(c => new ClientRecoveryCode
        {
            Id = Guid.CreateVersion7(),
            ClientId = user.ClientId,
            UserId = user.Id,
            Hash = Credentials.HashRecoveryCode(c),
        }));
        return codes;
    }

    /// <summary>Signing out: the current session ends now.</summary>
    public async Task<Result<Guid>> SignOutAsync(ClientCaller me, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        await db.ClientSessions.IgnoreQueryFilters().Where(s => s.Id == me.SessionId).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, clock.GetUtcNow()), ct);
        await audit.RecordAsync(db, "ClientSignOut", "session", me.SessionId.ToString(), ct);
        await write.CommitAsync(ct);
        return me.SessionId!.Value;
    }
}
