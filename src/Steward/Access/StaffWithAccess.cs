using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Access;

/// <summary>
/// P-15: who at the processor can reach this client's personal data right now, from the live grants (not a
/// hand-kept list): name, role, channel and rights, and until when.
/// </summary>
public sealed class StaffWithAccess(StewardDb db, KeyVault vault, RoleMatrix matrix, TimeProvider clock)
{
    public sealed record Person(Guid StaffId, string Name, string Role, string Channel, List<string> Rights, bool AllClients,
        DateTimeOffset ActiveFrom, DateTimeOffset? ExpiresAt);

    public async Task<List<Person>> HandleAsync(Guid clientId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var live = await (from g in db.AccessGrants
                          join s in db.StaffMembers on g.StaffId equals s.Id
                          where (g.ClientId == clientId || g.ClientId == null) && g.ActiveFrom != null && g.RevokedAt == null && s.DisabledAt == null
                          select new { Grant = g, s.Role, s.NameSealed }).AsNoTracking().ToListAsync(ct);
        live = live.Where(x => x.Grant.ExpiresAt is null || x.Grant.ExpiresAt > now).ToList();
        var keys = await vault.OpenManyAsync(Guid.Empty, live.Select(x => x.Grant.StaffId).Distinct().ToList(), ct);
        try
        {
            return live.Where(x => keys.ContainsKey(x.Grant.StaffId))
                .GroupBy(x => x.Grant.StaffId)
                .Select(group =>
                {
                    var first = group.First();
                    var rights = group.SelectMany(x => x.Grant.RightList).Intersect(matrix.DataRights(first.Role)).Distinct().Order(StringComparer.Ordinal).ToList();
                    return new Person(group.Key, keys[group.Key].OpenString("name", first.NameSealed)!, first.Role, matrix.Role(first.Role).Channel, rights,
                        group.Any(x => x.Grant.ClientId is null), group.Min(x => x.Grant.ActiveFrom!.Value),
                        group.Any(x => x.Grant.ExpiresAt is null) ? null : group.Max(x => x.Grant.ExpiresAt));
                })
                .Where(p => p.Rights.Count > 0)
                .OrderBy(p => p.Role, StringComparer.Ordinal).ThenBy(p => p.StaffId).ToList();
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }
}
