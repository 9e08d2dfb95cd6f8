using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Access;

/// <summary>Who the active CEOs and DPOs are: the people alerted of exports (P-25) and reminded of reviews.</summary>
public sealed class StaffDirectory(StewardDb db, KeyVault vault)
{
    public async Task<List<string>> GovernanceEmailsAsync(CancellationToken ct, Guid? except = null)
    {
        var people = await db.StaffMembers.AsNoTracking()
            .Where(s => s.DisabledAt == null && (s.Role == Roles.Ceo || s.Role == Roles.Dpo) && s.Id != except)
            .OrderBy(s => s.CreatedAt).Select(s => new { s.Id, s.EmailSealed }).ToListAsync(ct);
        var keys = await vault.OpenManyAsync(Guid.Empty, people.Select(p => p.Id).ToList(), ct);
        try
        {
            return people.Where(p => keys.ContainsKey(p.Id)).Select(p => keys[p.Id].OpenString("email", p.EmailSealed)!).ToList();
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }
}
