using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Requests;

/// <summary>
/// The subject downloads an access package through its signed link: once, before the link expires. At the download
/// the package's key is destroyed and its row emptied, so the only copy left is the one the subject took.
/// </summary>
public sealed class DownloadPackage(StewardDb db, KeyVault vault, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record File(byte[] Content, string ContentType, string Name);

    private const string Taken = "This package was downloaded already, or erased: ask again for a new copy.";

    public async Task<Result<File>> HandleAsync(string? token, CancellationToken ct)
    {
        if (await ReadAsync(token, ct) is not { } exportId) return Errors.NotFound("package");
        var clientId = await db.RequestExports.IgnoreQueryFilters().Where(e => e.Id == exportId).Select(e => (Guid?)e.ClientId).SingleOrDefaultAsync(ct);
        if (clientId is null) return Errors.NotFound("package");
        db.TenantId = clientId;
        actor.ActorType = "public";
        actor.ClientId = clientId;

        await using var write = await db.BeginWriteAsync(ct);
        var export = await db.RequestExports.SingleAsync(e => e.Id == exportId, ct);
        if (export.DownloadedAt is not null || export.PackageSealed is null) return Errors.Gone(Taken);
        if (clock.GetUtcNow() >= export.ExpiresAt) return Errors.Gone("This link has expired: ask again for a new copy.");
        // claimed by a conditional update: of two downloads at once, the second waits for the first's row lock and then
        // finds the package taken (PostgreSQL's read committed let both read it as not yet downloaded)
        if (await db.RequestExports.Where(e => e.Id == exportId && e.DownloadedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.DownloadedAt, clock.GetUtcNow()), ct) == 0)
            return Errors.Gone(Taken);
        using var key = await vault.OpenAsync(export.ClientId, export.Id, ct);
        if (key is null) return Errors.Gone("This package was erased.");
        var content = key.Open("package", export.PackageSealed);
        export.DownloadedAt = clock.GetUtcNow();
        export.PackageSealed = null;
        await audit.RecordAsync(db, "DownloadSubjectPackage", "request", export.RequestId.ToString(), ct);
        await write.CommitAsync(ct);
        await vault.DestroyAsync(export.ClientId, [export.Id], ct);
        return export.Format == "csv" ? new File(content, "text/csv; charset=utf-8", "personal-data.csv")
            : new File(content, "application/json", "personal-data.json");
    }

    private async Task<Guid?> ReadAsync(string? token, CancellationToken ct)
    {
        var id = await SignedTokens.ReadAsync(vault, FulfilRequest.ExportTokenPurpose, token, 100, ct);
        return id is { Length: 16 } ? new Guid(id) : null;
    }
}
