using System.Text;
using Steward.Crypto;
using Steward.Retention;

namespace Steward.Backups;

/// <summary>
/// The backups, for a destruction's residual scan (P-19, P-26): each available backup is opened under its own key and
/// searched for the scope's plain values. The scope's rows inside a backup are ciphertext under keys the destruction
/// destroyed (the key-store residue proves that) and leave with the backup's retention; what this store finds is a
/// value that reached the data database in clear, which must keep the destruction open until that backup is gone.
/// </summary>
public sealed class BackupResidue(BackupCatalogue catalogue, KeyVault vault) : IResidualStore
{
    public string Name => "backups";

    public async Task<int> ScanAsync(ScopeIdentifiers scope, CancellationToken ct)
    {
        if (scope.Values.Count == 0) return 0;
        var needles = scope.Values.SelectMany(v => new[] { v, v.ToLowerInvariant(), v.ToUpperInvariant() })
            .Distinct(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes).ToList();
        var hits = 0;
        foreach (var backup in await catalogue.ListAsync(ct))
        {
            if (backup.Status != BackupCatalogue.Available || !File.Exists(backup.Location)) continue;
            using var key = await vault.OpenAsync(CreateBackup.KeyNamespace, backup.Id, ct);
            if (key is null) continue; // no key opens it any more
            await using var file = new FileStream(backup.Location, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            await using var plain = BackupFile.OpenRead(file, backup.Id, key);
            if (await ContainsAnyAsync(plain, needles, ct)) hits++;
        }
        return hits;
    }

    /// <summary>Streams the backup through a window that keeps the tail of the last read, so a value cut by a read boundary is still found.</summary>
    private static async Task<bool> ContainsAnyAsync(Stream stream, List<byte[]> needles, CancellationToken ct)
    {
        var overlap = needles.Max(n => n.Length) - 1;
        var buffer = new byte[BackupFile.ChunkSize + overlap];
        var kept = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(kept), ct)) > 0)
        {
            var filled = kept + read;
            if (needles.Any(n => buffer.AsSpan(0, filled).IndexOf(n) >= 0)) return true;
            kept = Math.Min(overlap, filled);
            Array.Copy(buffer, filled - kept, buffer, 0, kept);
        }
        return false;
    }
}
