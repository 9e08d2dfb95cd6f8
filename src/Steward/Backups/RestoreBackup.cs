using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Backups;

/// <summary>
/// Puts a backup back in place of the data database, with every server stopped (P-19, G-29): the file's digest is
/// checked, it is decrypted and swapped in whole (or not at all), migrated forward, and then — before any service
/// opens — the whole forget ledger is replayed, so no contact erased and no client purged since comes back.
/// </summary>
public sealed class RestoreBackup(StewardDb db, KeyVault vault, BackupCatalogue catalogue, ReplayForgetLedger replay, AuditLog audit,
    IOptions<StorageOptions> storage)
{
    public enum Status { Restored, NotFound, Unavailable, Damaged }

    public sealed record Outcome(Status Status, string Message, int Replayed = 0);

    public async Task<Outcome> HandleAsync(Guid id, CancellationToken ct)
    {
        if (await catalogue.FindAsync(id, ct) is not { } backup) return new(Status.NotFound, $"No backup {id} in the catalogue.");
        if (backup.Status != BackupCatalogue.Available || !File.Exists(backup.Location))
            return new(Status.Unavailable, $"Backup {id} is {backup.Status}{(File.Exists(backup.Location) ? "" : ", its file is missing")}.");
        if (await CreateBackup.Sha256Async(backup.Location, ct) != backup.Sha256)
            return new(Status.Damaged, $"Backup {id}: the file's SHA-256 is not the one recorded; nothing was restored.");
        using var key = await vault.OpenAsync(CreateBackup.KeyNamespace, id, ct);
        if (key is null) return new(Status.Unavailable, $"Backup {id}: its key has been destroyed.");
        if (!db.IsSqlite && backup.Migration is null) return new(Status.Unavailable, $"Backup {id} records no migration to rebuild its schema at.");

        try
        {
            await using var file = new FileStream(backup.Location, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            await using var plain = BackupFile.OpenRead(file, id, key);
            // no held connection may keep the replaced database (SQLite: its file and WAL) open
            HeldReader.DropAll();
            if (db.IsSqlite) await DataSnapshot.RestoreSqliteAsync(storage.Value, plain, ct);
            else await DataSnapshot.RestorePostgresAsync(db, storage.Value, backup.Migration!, plain, ct);
        }
        catch (CryptographicException e)
        {
            return new(Status.Damaged, $"Backup {id} does not decrypt ({e.Message}); nothing was restored.");
        }

        DeclareFields.ForgetAll();
        HeldReader.DropAll();
        await Migrate.HandleAsync(db, ct);
        // the ledger's checkpoint came back with the data: forget it, and replay every erasure ever made
        await db.LedgerCheckpoints.Where(c => c.Id == 1).ExecuteDeleteAsync(ct);
        var replayed = await replay.HandleAsync(ct);
        await using (var write = await db.BeginWriteAsync(ct))
        {
            await audit.RecordAsync(db, "RestoreBackup", "backup", id.ToString(), ct);
            await write.CommitAsync(ct);
        }
        return new(Status.Restored, $"Backup {id} of {backup.TakenAt:u} restored; {replayed} forget-ledger entries replayed.", replayed);
    }
}
