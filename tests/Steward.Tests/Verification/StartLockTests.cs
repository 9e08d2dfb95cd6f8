using Steward.Data;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// The SQLite start lock (<see cref="Migrate.ExclusivelyAsync"/>): a start waits only while another holds the lock,
/// and not for ever; any other failure to open the lock file ends the start at once, naming the file.
/// </summary>
public sealed class StartLockTests
{
    [Fact]
    public async Task G38_a_start_waits_while_another_holds_the_start_lock_and_gives_up_after_its_patience_naming_the_lock()
    {
        var storage = new StorageOptions { DataDirectory = Canaries.NewDataDirectory("steward-lock-") };
        Directory.CreateDirectory(storage.FullDataDirectory);
        var path = Path.Combine(storage.FullDataDirectory, "steward.db.start-lock");
        var other = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);

        var refused = await Assert.ThrowsAsync<TimeoutException>(() => Migrate.ExclusivelyAsync(storage, default, TimeSpan.Zero));
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);

        // released meanwhile: the waiting start takes it
        var waiting = Migrate.ExclusivelyAsync(storage, default);
        Assert.False(waiting.IsCompleted);
        await other.DisposeAsync();
        await using var taken = await waiting.WaitAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task G38_a_start_lock_that_cannot_be_opened_fails_the_start_at_once_naming_the_lock()
    {
        // a directory where the lock file should be, and a data directory that does not exist
        var storage = new StorageOptions { DataDirectory = Canaries.NewDataDirectory("steward-lock-") };
        Directory.CreateDirectory(Path.Combine(storage.FullDataDirectory, "steward.db.start-lock"));
        var missing = new StorageOptions { DataDirectory = Path.Combine(storage.FullDataDirectory, "missing") };
        foreach (var options in new[] { storage, missing })
        {
            // waiting would be the old fault: the patience is far longer than the bound of this check
            var failed = await Assert.ThrowsAsync<IOException>(() => Migrate.ExclusivelyAsync(options, default).WaitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains(Path.Combine(options.FullDataDirectory, "steward.db.start-lock"), failed.Message, StringComparison.Ordinal);
        }
    }
}
