using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Backups;

namespace Steward.Server.Console.Staff;

/// <summary>
/// The backup catalogue (P-19), as the API's ListBackups reads it, with when each backup's retention ends. Backups are
/// taken by the scheduled job or the CLI and restored through the CLI: the API offers neither, so neither does this page.
/// </summary>
public sealed class BackupsModel(BackupCatalogue catalogue, IOptions<BackupOptions> options) : ConsolePage
{
    public List<BackupCatalogue.Entry> Backups { get; private set; } = [];
    public int RetentionDays => options.Value.RetentionDays;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Can(Permissions.ReadBackups)) return Refuse();
        Backups = await catalogue.ListAsync(ct);
        return Page();
    }

    /// <summary>When the backup's key and file go (<see cref="PruneBackups"/>); an expired one is already gone.</summary>
    public DateTimeOffset RetainedUntil(BackupCatalogue.Entry e) => e.TakenAt.AddDays(RetentionDays);
}
