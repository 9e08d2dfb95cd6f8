using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Steward.Access;

namespace Steward.Backups;

public static class BackupEndpoints
{
    /// <summary>The backup catalogue for the staff who answer for it (P-19); ids, times, places and digests, no data.</summary>
    public static RouteGroupBuilder MapBackups(this RouteGroupBuilder v1)
    {
        v1.MapGet("/backups", async (BackupCatalogue catalogue, CancellationToken ct) => TypedResults.Ok(await catalogue.ListAsync(ct)))
            .WithTags("Staff").RequireAuthorization(Permissions.ReadBackups)
            .WithName("ListBackups").WithSummary("P-19: the backup catalogue, newest first (id, taken at, size, location, region, SHA-256, migration, status)");
        return v1;
    }
}
