using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Backups;

/// <summary>
/// Takes an online, consistent, encrypted snapshot of the data database (P-19, G-29): a fresh key per backup, kept
/// in the key store and never beside the file, so destroying it (retention) makes every copy of the file unreadable.
/// </summary>
public sealed class CreateBackup(StewardDb db, KeyVault vault, BackupCatalogue catalogue, AuditLog audit,
    IOptions<StorageOptions> storage, IOptions<BackupOptions> options, TimeProvider clock)
{
    /// <summary>Backup keys live in the key store under this client id, apart from every client's own.</summary>
    public static readonly Guid KeyNamespace = new("5e3a2b64-0b5c-4d1e-9a41-6261636b7570");

    /// <summary>
    /// The scheduled backup: one when the latest finished one is at least the interval old (so a sweep or a restart
    /// does not pile them up). One still "creating" does not count: a process killed mid-backup leaves it so, and
    /// the day must not go without a backup (ClearAbandonedAsync removes such a one).
    /// </summary>
    public async Task<BackupCatalogue.Entry?> DueAsync(CancellationToken ct)
    {
        var latest = (await catalogue.ListAsync(ct)).FirstOrDefault(e => e.Status == BackupCatalogue.Available);
        if (latest is not null && latest.TakenAt > clock.GetUtcNow().AddHours(-options.Value.IntervalHours)) return null;
        return await HandleAsync(ct);
    }

    public async Task<BackupCatalogue.Entry> HandleAsync(CancellationToken ct)
    {
        var location = options.Value.FullLocation(storage.Value);
        Directory.CreateDirectory(location);
        var takenAt = clock.GetUtcNow();
        var id = Guid.CreateVersion7(takenAt);
        var path = Path.Combine(location, $"{takenAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{id:N}.backup");
        var migration = (await db.Database.GetAppliedMigrationsAsync(ct)).LastOrDefault();
        var entry = new BackupCatalogue.Entry(id, takenAt, 0, path, options.Value.Region, null, migration, BackupCatalogue.Creating);
        await catalogue.AddAsync(entry, ct);
        var partial = path + ".partial";
        try
        {
            using var key = await vault.CreateAsync(KeyNamespace, id, ct);
            // the file stays open, and so locked, until the catalogue says available: a backup whose file nobody
            // holds while it is still "creating" was cut short by a crash (ClearAbandonedAsync)
            await using var file = new FileStream(partial, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            await using (var sealing = BackupFile.OpenWrite(file, id, key))
            {
                if (db.IsSqlite) await DataSnapshot.WriteSqliteAsync(storage.Value, id, sealing, ct);
                else await DataSnapshot.WritePostgresAsync(storage.Value, sealing, ct);
            }
            file.Flush(flushToDisk: true);
            file.Position = 0;
            entry = entry with { Size = file.Length, Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct)), Status = BackupCatalogue.Available };
            File.Move(partial, path); // a rename: the open handle and its lock follow the file
            await catalogue.CompleteAsync(id, entry.Size, entry.Sha256!, ct);
        }
        catch
        {
            // nothing half-made survives: no file, no key that opens a part of one
            await DiscardAsync(entry, CancellationToken.None);
            throw;
        }
        await using (var write = await db.BeginWriteAsync(ct))
        {
            await audit.RecordAsync(db, "CreateBackup", "backup", id.ToString(), ct);
            await write.CommitAsync(ct);
        }
        return entry;
    }

    /// <summary>
    /// Backups a crash cut short (kill -9 mid-backup): still "creating", but no writer holds their file. Each loses its
    /// key and its files and is marked failed, so it is never listed as available, never opened, and does not hold
    /// back the next scheduled backup. Answers how many.
    /// </summary>
    public async Task<int> ClearAbandonedAsync(CancellationToken ct)
    {
        var abandoned = (await catalogue.ListAsync(ct)).Where(e => e.Status == BackupCatalogue.Creating && Abandoned(e)).ToList();
        foreach (var backup in abandoned)
        {
            await DiscardAsync(backup, ct);
            await using var write = await db.BeginWriteAsync(ct);
            await audit.RecordAsync(db, "AbandonBackup", "backup", backup.Id.ToString(), ct);
            await write.CommitAsync(ct);
        }
        return abandoned.Count;
    }

    private bool Abandoned(BackupCatalogue.Entry backup)
    {
        foreach (var file in new[] { backup.Location + ".partial", backup.Location })
        {
            if (!File.Exists(file)) continue;
            try
            {
                using var probe = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                return true;
            }
            catch (IOException)
            {
                return false; // its writer holds it (or it was just renamed)
            }
        }
        // no file here yet, or written on another node's disk: given up only once a whole interval has passed
        return backup.TakenAt < clock.GetUtcNow().AddHours(-options.Value.IntervalHours);
    }

    private async Task DiscardAsync(BackupCatalogue.Entry backup, CancellationToken ct)
    {
        File.Delete(backup.Location + ".partial");
        File.Delete(backup.Location);
        File.Delete(DataSnapshot.ScratchPath(storage.Value, backup.Id));
        await vault.DestroyAsync(KeyNamespace, [backup.Id], ct);
        await catalogue.SetStatusAsync(backup.Id, BackupCatalogue.Failed, ct);
    }

    /// <summary>The file's digest as written: checked before a restore decrypts anything.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
