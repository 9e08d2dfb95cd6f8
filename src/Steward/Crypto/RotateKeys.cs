namespace Steward.Crypto;

/// <summary>
/// Key rotation, online: a new current KEK (made here when keys live in the data directory, or configured by the
/// operator), then every data key and secret re-wrapped under it in small batches beside live traffic — the data
/// itself is never re-encrypted. Resumable: a rerun picks up whatever is still under an older KEK. A retired KEK
/// that wraps nothing any more is destroyed (data-directory keys) or named for the operator to remove.
/// </summary>
public sealed class RotateKeys(KeyVault vault, KeyEncryptionKey kek)
{
    public const int Batch = 500;

    public sealed record Report(string CurrentId, string? PreviousId, long Rewrapped,
        IReadOnlyList<string> Destroyed, IReadOnlyList<string> Unused, IReadOnlyDictionary<string, long> StillInUse);

    public async Task<Report> HandleAsync(IProgress<long>? progress, CancellationToken ct)
    {
        string? previous = null;
        // data-directory keys: a new KEK, unless an interrupted rotation left a retired one to finish first
        if (kek.IsGenerated && kek.Ids.Count == 1)
        {
            previous = kek.Id;
            kek.RotateGenerated();
        }
        long total = 0;
        Dictionary<string, long> counts;
        // a node that wrapped a key just before it saw the new KEK leaves one behind: look again until none is left
        for (var pass = 0; ; pass++)
        {
            int done;
            while ((done = await vault.RewrapAsync(Batch, ct)) > 0)
            {
                total += done;
                progress?.Report(total);
            }
            counts = await vault.CountByKekAsync(ct);
            if (counts.Keys.All(id => id == kek.Id) || pass == 3) break;
        }
        var retired = kek.Ids.Where(id => id != kek.Id).ToList();
        var unused = retired.Where(id => counts.GetValueOrDefault(id) == 0).ToList();
        var destroyed = new List<string>();
        if (kek.IsGenerated)
        {
            foreach (var id in unused) kek.DestroyRetired(id);
            destroyed.AddRange(unused);
            unused.Clear();
        }
        return new Report(kek.Id, previous, total, destroyed, unused,
            counts.Where(c => c.Key != kek.Id && c.Value > 0).ToDictionary(c => c.Key, c => c.Value));
    }
}
