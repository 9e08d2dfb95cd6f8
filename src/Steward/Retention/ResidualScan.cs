using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Crypto;
using Steward.Data;
using Steward.Notifications;

namespace Steward.Retention;

/// <summary>Where Steward keeps files that may hold plain values, for the residual scan (P-09, P-26).</summary>
public sealed class DestructionOptions
{
    /// <summary>Export files written for operators (e.g. `steward export -o`); default {DataDirectory}/exports.</summary>
    public string? ExportDirectory { get; set; }
    /// <summary>Application log files, where a deployment writes them; default {DataDirectory}/logs.</summary>
    public string? LogDirectory { get; set; }
}

/// <summary>What a destruction's residual scan looks for: ids and blind indexes in tables, plain values (emails, phones) in files.</summary>
public sealed record ScopeIdentifiers(Guid ClientId, bool WholeClient, List<Guid> ContactIds, List<byte[]> BlindIndexes, List<string> Values);

/// <summary>
/// One store Steward owns, searched after a destruction for anything of its scope. Register one in DI per store; the
/// scan and the report list every registered store by its name (a backup store joins the same way).
/// </summary>
public interface IResidualStore
{
    string Name { get; }
    /// <returns>How many records or files still hold something of the scope.</returns>
    Task<int> ScanAsync(ScopeIdentifiers scope, CancellationToken ct);
}

public static class ResidualStores
{
    public static IServiceCollection AddResidualStores(this IServiceCollection services)
    {
        services.AddScoped<IResidualStore, DatabaseResidue>();
        services.AddSingleton<IResidualStore, KeyStoreResidue>();
        services.AddScoped<IResidualStore, OutboxResidue>();
        services.AddSingleton<IResidualStore>(sp => new FileResidue("exports", Directory(sp, o => o.ExportDirectory, "exports")));
        services.AddSingleton<IResidualStore>(sp => new FileResidue("logs", Directory(sp, o => o.LogDirectory, "logs")));
        services.AddSingleton<IResidualStore>(sp => new FileResidue("mail-drop",
            sp.GetRequiredService<IOptions<MailOptions>>().Value.DropDirectory ?? Directory(sp, _ => null, "mail-drop")));
        return services;
    }

    private static string Directory(IServiceProvider sp, Func<DestructionOptions, string?> configured, string name) =>
        configured(sp.GetRequiredService<IOptions<DestructionOptions>>().Value)
        ?? Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.FullDataDirectory, name);
}

/// <summary>
/// The data tables, by the scope's ids and blind indexes. Not counted, by design: subject requests of a contacts scope
/// (the client's evidence, under their own keys), the suppression list (keyed hashes, so an objection outlives the
/// erasure) and sub-processor erasure requests still to be sent.
/// </summary>
public sealed class DatabaseResidue(StewardDb db) : IResidualStore
{
    public string Name => "database";

    public async Task<int> ScanAsync(ScopeIdentifiers scope, CancellationToken ct)
    {
        var c = scope.ClientId;
        var ids = scope.ContactIds;
        var hits = 0;
        if (scope.WholeClient)
        {
            hits += await db.Contacts.IgnoreQueryFilters().CountAsync(x => x.ClientId == c, ct);
            hits += await db.ConsentEvents.IgnoreQueryFilters().CountAsync(x => x.ClientId == c, ct);
            hits += await db.ContactRestrictions.IgnoreQueryFilters().CountAsync(x => x.ClientId == c, ct);
            hits += await db.SubjectRequests.IgnoreQueryFilters().CountAsync(x => x.ClientId == c, ct);
            hits += await db.OpenDsrRequests.IgnoreQueryFilters().CountAsync(x => x.ClientId == c, ct);
            hits += await db.ClientUsers.IgnoreQueryFilters().CountAsync(x => x.ClientId == c, ct);
        }
        else
        {
            hits += await db.Contacts.IgnoreQueryFilters().CountAsync(x => x.ClientId == c && ids.Contains(x.Id), ct);
            hits += await db.ConsentEvents.IgnoreQueryFilters().CountAsync(x => x.ClientId == c && ids.Contains(x.ContactId), ct);
            hits += await db.ContactRestrictions.IgnoreQueryFilters().CountAsync(x => x.ClientId == c && ids.Contains(x.ContactId), ct);
        }
        hits += await db.RestrictedReads.IgnoreQueryFilters().CountAsync(x => x.ClientId == c && ids.Contains(x.ContactId), ct);
        hits += await db.RequestExports.IgnoreQueryFilters()
            .CountAsync(x => x.ClientId == c && x.ContactId != null && ids.Contains(x.ContactId.Value) && x.PackageSealed != null, ct);
        // another row with the same email or phone (a copy under a new id) is found by its blind index
        foreach (var index in scope.BlindIndexes)
            hits += await db.Contacts.IgnoreQueryFilters().CountAsync(x => x.ClientId == c && (x.EmailIndex == index || x.PhoneIndex == index), ct);
        return hits;
    }
}

/// <summary>The key store: a contact key that still exists would open every copy, backups included.</summary>
public sealed class KeyStoreResidue(KeyVault vault) : IResidualStore
{
    public string Name => "key-store";

    public async Task<int> ScanAsync(ScopeIdentifiers scope, CancellationToken ct)
    {
        var keys = await vault.OpenManyAsync(scope.ClientId, scope.ContactIds, ct);
        foreach (var key in keys.Values) key.Dispose();
        return keys.Count;
    }
}

/// <summary>The notification outbox: the client's messages, opened under their own keys, searched for the plain values.</summary>
public sealed class OutboxResidue(StewardDb db, KeyVault vault) : IResidualStore
{
    public string Name => "outbox";

    public async Task<int> ScanAsync(ScopeIdentifiers scope, CancellationToken ct)
    {
        if (scope.Values.Count == 0) return 0;
        var hits = 0;
        var messages = db.OutboxMessages.AsNoTracking().Where(m => m.ClientId == scope.ClientId).OrderBy(m => m.Id).AsAsyncEnumerable();
        await foreach (var m in messages.WithCancellation(ct))
        {
            using var key = await vault.OpenAsync(Guid.Empty, m.Id, ct);
            if (key is null) continue;
            var text = string.Join('\n', Encoding.UTF8.GetString(key.Open("to", m.ToSealed)), Encoding.UTF8.GetString(key.Open("subject", m.SubjectSealed)),
                Encoding.UTF8.GetString(key.Open("body", m.BodySealed)));
            if (scope.Values.Any(v => text.Contains(v, StringComparison.OrdinalIgnoreCase))) hits++;
        }
        return hits;
    }
}

/// <summary>A directory of files (exports, logs, the mail drop): each file holding a plain value of the scope is one hit.</summary>
public sealed class FileResidue(string name, string directory) : IResidualStore
{
    public string Name => name;

    public async Task<int> ScanAsync(ScopeIdentifiers scope, CancellationToken ct)
    {
        if (scope.Values.Count == 0 || !System.IO.Directory.Exists(directory)) return 0;
        var hits = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (!scope.Values.Any(v => line.Contains(v, StringComparison.OrdinalIgnoreCase))) continue;
                hits++;
                break;
            }
        }
        return hits;
    }
}
