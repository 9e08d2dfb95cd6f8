using Microsoft.EntityFrameworkCore;
using OtpNet;
using Steward.Access;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Team;

/// <summary>
/// Optional two-factor for a team member: a new secret is pending until a first code from it is confirmed, so
/// nobody locks themselves out with a mistyped enrolment. From then on sign-in needs a code.
/// </summary>
public sealed class ClientTwoFactor(StewardDb db, KeyVault vault, AuditLog audit, TimeProvider clock)
{
    public sealed record Started(string TotpUri, string TotpSecret);
    public sealed record Confirm(string? Code);
    public sealed record Enabled(bool TwoFactor);

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
        using var key = await vault.OpenAsync(user.ClientId, user.Id, ct) ?? throw new InvalidOperationException("The user's key is missing.");
        if (Lockout.AcceptTotp(user, key.Open("totp", user.TotpPendingSealed), request.Code, clock.GetUtcNow()) is null)
            return Errors.Invalid("code", "The code does not match: give the current code from your authenticator app.");
        user.TotpSecretSealed = user.TotpPendingSealed;
        user.TotpPendingSealed = null;
        await audit.RecordAsync(db, "EnableClientTwoFactor", "user", user.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Enabled(true);
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
