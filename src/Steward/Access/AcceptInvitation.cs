using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Access;

/// <summary>
/// The invited person chooses a password (checked against the common-password list) and receives, once, a TOTP
/// secret and ten recovery codes. Every staff account has TOTP; admin roles cannot sign in without it (P-24).
/// </summary>
public sealed class AcceptInvitation(StewardDb db, KeyVault vault, IPasswordHasher<StaffMember> hasher, AuditLog audit,
    AuditContext actor, TimeProvider clock)
{
    public sealed record Request(string? Token, string? Password);
    public sealed record Response(Guid StaffId, string TotpUri, string TotpSecret, List<string> RecoveryCodes);

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        if (Credentials.PasswordProblem(request.Password) is { } problem) return Errors.Invalid("password", problem);
        if (request.Token is not { Length: < 200 }) return Errors.NotFound("invitation");
        var hash = Credentials.Hash(request.Token);
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var member = await db.StaffMembers.SingleOrDefaultAsync(s => s.InvitationHash == hash && s.DisabledAt == null, ct);
        if (member is null || member.InvitationExpiresAt <= now) return Errors.NotFound("invitation");

        using var key = await vault.OpenAsync(Guid.Empty, member.Id, ct) ?? throw new InvalidOperationException("The staff member's key is missing.");
        var secret = Credentials.NewTotpSecret();
        member.PasswordHash = hasher.HashPassword(member, request.Password!);
        member.TotpSecretSealed = key.Seal("totp", secret);
        member.TotpLastStep = null;
        member.InvitationHash = null;
        member.InvitationExpiresAt = null;
        var codes = Credentials.NewRecoveryCodes();
        await db.RecoveryCodes.Where(r => r.StaffId == member.Id).ExecuteDeleteAsync(ct);
        db.RecoveryCodes.AddRange(codes.Select(c => new RecoveryCode { Id = Guid.CreateVersion7(), StaffId = member.Id, Hash = Credentials.HashRecoveryCode(c) }));
        actor.ActorType = "staff";
        actor.ActorId = member.Id.ToString();
        await audit.RecordAsync(db, "AcceptStaffInvitation", "staff", member.Id.ToString(), ct);
        await write.CommitAsync(ct);
        var account = key.OpenString("email", member.EmailSealed)!;
        return new Response(member.Id, Credentials.TotpUri(secret, account), OtpNet.Base32Encoding.ToString(secret).TrimEnd('='), codes);
    }
}
