using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Crypto;
using Steward.Data;
using Steward.Notifications;

namespace Steward.Retention;

/// <summary>
/// Retention of what Steward makes along the way (issue 5, "retention everywhere"): an access package nobody
/// downloaded is shredded once its link has expired, an expired verification code's hash is cleared, and a sent (or
/// finally failed) message's content is shredded after <see cref="RetentionOptions.OutboxDays"/>. The rows stay as
/// evidence (who was sent what kind of message when, that a package was made); only what could open data goes.
/// Each part destroys the keys first, so a crash between the two steps leaves nothing readable.
/// </summary>
public sealed class ExpireData(StewardDb db, KeyVault vault, IOptions<RetentionOptions> options, TimeProvider clock)
{
    private const int Batch = 500;
    /// <summary>What a cleared column holds; compared as a value (a length test does not translate on both engines).</summary>
    private static readonly byte[] Cleared = [];

    public async Task<int> PackagesAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var expired = 0;
        while (true)
        {
            var batch = await db.RequestExports.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.PackageSealed != null && e.ExpiresAt < now).OrderBy(e => e.Id).Take(Batch)
                .Select(e => new { e.Id, e.ClientId }).ToListAsync(ct);
            if (batch.Count == 0) return expired;
            foreach (var client in batch.GroupBy(e => e.ClientId))
                await vault.DestroyAsync(client.Key, client.Select(e => e.Id).ToList(), ct);
            var ids = batch.Select(e => e.Id).ToList();
            expired += await db.RequestExports.IgnoreQueryFilters().Where(e => ids.Contains(e.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.PackageSealed, (byte[]?)null), ct);
        }
    }

    public Task<int> VerificationCodesAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.RequestVerifications.IgnoreQueryFilters().Where(v => v.ExpiresAt < now && v.CodeHash != Cleared)
            .ExecuteUpdateAsync(u => u.SetProperty(v => v.CodeHash, Cleared), ct);
    }

    public async Task<int> OutboxAsync(CancellationToken ct)
    {
        var before = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.OutboxDays);
        var shredded = 0;
        while (true)
        {
            var ids = await db.OutboxMessages.AsNoTracking()
                .Where(m => m.Status != OutboxMessage.Pending && m.CreatedAt < before && m.BodySealed != Cleared)
                .OrderBy(m => m.Id).Take(Batch).Select(m => m.Id).ToListAsync(ct);
            if (ids.Count == 0) return shredded;
            await vault.DestroyAsync(Guid.Empty, ids, ct); // outbox keys live under the empty client id (Notifier)
            shredded += await db.OutboxMessages.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(u => u
                .SetProperty(m => m.ToSealed, Cleared)
                .SetProperty(m => m.SubjectSealed, Cleared)
                .SetProperty(m => m.BodySealed, Cleared), ct);
        }
    }
}
