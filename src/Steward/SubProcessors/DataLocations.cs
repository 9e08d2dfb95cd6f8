using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.SubProcessors;

/// <summary>
/// Where a client's data lives (G-12, P-19, P-35): the primary database, the backups, and every sub-processor
/// with its countries, its transfer basis and whether this client's data flows to it — from the live
/// configuration and register, never a hand-kept text.
/// </summary>
public sealed class DataLocations(StewardDb db, TransferGate gate, IOptions<ResidencyOptions> residency, IOptions<StorageOptions> storage, TimeProvider clock)
{
    public sealed record Location(string Provider, string Engine, string Country, string Region);

    public sealed record SubProcessorLocation(Guid Id, string Name, string Purpose, string DataCategories, string Status,
        IReadOnlyList<TransferGate.CountryDecision> Countries, bool ReceivesData, string Reason);

    public sealed record View(Location PrimaryDatabase, Location Backups, IReadOnlyList<SubProcessorLocation> SubProcessors, DateTimeOffset AsOf);

    public async Task<View> HandleAsync(Guid clientId, CancellationToken ct)
    {
        var r = residency.Value;
        var engine = storage.Value.Database.Provider.ToString();
        var list = new List<SubProcessorLocation>();
        foreach (var s in await db.SubProcessors.AsNoTracking().Where(s => s.Status != SubProcessor.Retired).OrderBy(s => s.Name).ToListAsync(ct))
        {
            var decision = await gate.CheckAsync(db, clientId, s, ct);
            list.Add(new SubProcessorLocation(s.Id, s.Name, s.Purpose, s.DataCategories, s.Status, decision.Countries, decision.Allowed, decision.Reason));
        }
        return new View(new Location(r.DatabaseProvider, engine, r.DatabaseCountry, r.DatabaseRegion),
            new Location(r.BackupProvider, "encrypted backups (crypto-shredded on erasure)", r.BackupCountry, r.BackupRegion), list, clock.GetUtcNow());
    }
}
