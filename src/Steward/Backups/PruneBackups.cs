using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Backups;

/// <summary>
/// Backup retention (P-19): a backup older than the policy loses its key first (from then on no copy of the file
/// opens, wherever it was copied), then its file; its catalogue row stays, marked expired.
/// </summary>
public sealed class PruneBackups(StewardDb db, KeyVault vault, BackupCatalogue catalogue, AuditLog audit,
    IOptions<BackupOptions> options, TimeProvider clock)
{
    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var expired = await catalogue.OlderThanAsync(clock.GetUtcNow().AddDays(-options.Value.RetentionDays), ct);
        foreach (var backup in expired)
        {
            await vault.DestroyAsync(CreateBackup.KeyNamespace, [backup.Id], ct);
            File.Delete(backup.Location);
            File.Delete(backup.Location + ".partial");
            await catalogue.SetStatusAsync(backup.Id, BackupCatalogue.Expired, ct);
            await using var write = await db.BeginWriteAsync(ct);
            await audit.RecordAsync(db, "ExpireBackup", "backup", backup.Id.ToString(), ct);
            await write.CommitAsync(ct);
        }
        return expired.Count;
    }
}
