using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Clients;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;

namespace Steward.SubProcessors;

/// <summary>
/// Where a client's data lives (G-12, P-19, P-35): the primary database, the backups, and every sub-processor
/// with its countries, its transfer basis and whether this client's data flows to it — from the live
/// configuration and register, never a hand-kept text.
/// </summary>
public sealed class DataLocations(StewardDb db, TransferGate gate, IOptions<ResidencyOptions> residency, IOptions<StorageOptions> storage,
    AuditLog audit, ControllerMail mail, ILogger<DataLocations> log, TimeProvider clock)
{
    public const string ResidencyAction = "RecordResidency";
    public const string TransferBlockedAction = "TransferBlocked";

    public sealed record TransferCheck(Guid? SubProcessorId);

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

    /// <summary>
    /// The gate asked before a flow of this client's personal data to a sub-processor (G-17, P-35): the answer says
    /// whether it may go and why; a blocked flow is written to the audit log and the service log (never silent).
    /// </summary>
    public async Task<Result<TransferGate.Decision>> CheckTransferAsync(Guid clientId, TransferCheck input, CancellationToken ct)
    {
        if (input.SubProcessorId is not { } id) return Errors.Invalid("subProcessorId", "The sub-processor the data would go to.");
        var s = await db.SubProcessors.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return Errors.NotFound("Sub-processor");
        var decision = await gate.CheckAsync(db, clientId, s, ct);
        if (decision.Allowed) return decision;
        await using var write = await db.BeginWriteAsync(ct);
        await audit.RecordAsync(db, TransferBlockedAction, "subprocessor", s.Id.ToString(), ct, clientId, outcome: "refused", status: 403);
        await write.CommitAsync(ct);
        log.LogWarning("Transfer of client {ClientId}'s data to sub-processor {SubProcessor} blocked: {Reason}", clientId, s.Name, decision.Reason);
        return decision;
    }

    /// <summary>
    /// G-12, P-19: every client is told when where its data lives changes. The database and backup locations come from
    /// the configuration, so each start fingerprints them into the audit log; a fingerprint other than the last one
    /// recorded mails every client that still has data. Sub-processor changes are told where they happen (Register, Changes).
    /// </summary>
    public async Task<int> AnnounceResidencyChangeAsync(CancellationToken ct)
    {
        var r = residency.Value;
        var described = $"primary database: {r.DatabaseProvider}, {r.DatabaseCountry} ({r.DatabaseRegion}); backups: {r.BackupProvider}, {r.BackupCountry} ({r.BackupRegion})";
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(described)))[..32];
        var last = await db.AuditEvents.AsNoTracking().Where(e => e.Action == ResidencyAction)
            .OrderByDescending(e => e.Seq).Select(e => e.ResourceId).FirstOrDefaultAsync(ct);
        if (last == fingerprint) return 0;
        await using var write = await db.BeginWriteAsync(ct);
        var told = 0;
        if (last is not null) // the first start only records
            foreach (var clientId in await db.Clients.IgnoreQueryFilters()
                         .Where(c => c.Status == ClientLifecycle.Active || c.Status == ClientLifecycle.Cancelled).Select(c => c.Id).ToListAsync(ct))
                if (await mail.SendAsync(db, clientId, Register.LocationChangedKind, "[Steward] Where your data lives has changed",
                        $"""
                        Where your data is stored has changed. Now:
                        {described}
                        Where your data lives: GET /v1/clients/{clientId}/data-locations
                        """, ct) > 0)
                    told++;
        await audit.RecordAsync(db, ResidencyAction, "residency", fingerprint, ct);
        await write.CommitAsync(ct);
        return told;
    }
}
