using Microsoft.EntityFrameworkCore;
using Steward.Access;
using Steward.Data;

namespace Steward.Measures;

/// <summary>
/// G-35: the access review of every staff account. Steward's own staff sign in only with a TOTP second factor, so an
/// account that can sign in without one is a finding. MFA on the cloud console, code hosting, CI and vault is an
/// attested measure ("production-mfa"); this review covers the accounts Steward holds.
/// </summary>
public sealed class AccessReview(StewardDb db, TimeProvider clock)
{
    public sealed record Account(Guid StaffId, string Role, string Engagement, string Status, bool SecondFactor, DateTimeOffset CreatedAt);
    public sealed record Report(DateTimeOffset ReviewedAt, List<Account> Accounts, List<Guid> WithoutSecondFactor);

    public async Task<Report> HandleAsync(CancellationToken ct)
    {
        var staff = await db.Set<StaffMember>().AsNoTracking().OrderBy(s => s.CreatedAt).ThenBy(s => s.Id)
            .Select(s => new { s.Id, s.Role, s.Engagement, s.DisabledAt, HasPassword = s.PasswordHash != null, HasTotp = s.TotpSecretSealed != null, s.CreatedAt })
            .ToListAsync(ct);
        var accounts = staff.Select(s => new Account(s.Id, s.Role, s.Engagement,
            s.DisabledAt is not null ? "disabled" : s.HasPassword ? "active" : "invited", s.HasTotp, s.CreatedAt)).ToList();
        return new Report(clock.GetUtcNow(), accounts, accounts.Where(a => a.Status == "active" && !a.SecondFactor).Select(a => a.StaffId).ToList());
    }
}
