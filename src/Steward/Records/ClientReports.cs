using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Breaches;
using Steward.Data;
using Steward.Dpo;
using Steward.Inspections;
using Steward.Instructions;
using Steward.Measures;

namespace Steward.Records;

/// <summary>
/// Reports a client can take at any time, generated from live data: the DPIA assistance package (P-34, Art. 28(3)(f))
/// and the report of the measures taken to meet the DPA (P-31).
/// </summary>
public sealed class ClientReports(StewardDb db, RecordsOfProcessing records, BreachRegister breaches, Terms terms, MeasureRegister measures,
    DataInventory inventory, DataFlows flows, IOptions<ProcessorOptions> processor, TimeProvider clock)
{
    public sealed record Risk(string Source, string Description);
    public sealed record DpiaPackage(DateTimeOffset GeneratedAt, RecordsOfProcessing.Controller Processing, RecordsOfProcessing.Party Processor,
        List<RecordsOfProcessing.Transfer> SubProcessorsAndTransfers, List<string> SecurityMeasures, List<Risk> KnownRisks,
        DataInventory.Inventory DataInventory, DataFlows.Inventory DataFlows);
    public sealed record AuditSummary(Guid Id, string Kind, string AuditorFirm, DateTimeOffset RequestedAt, DateTimeOffset PeriodFrom, DateTimeOffset PeriodTo);
    public sealed record OpenFinding(string Kind, Guid Id, string Summary, DateTimeOffset Since);
    public sealed record MeasuresReport(DateTimeOffset GeneratedAt, List<MeasureRegister.View> SecurityMeasures, List<RecordsOfProcessing.Transfer> SubProcessorsAndLocations,
        DpaTerms.Effective Terms, List<AuditSummary> Audits, List<OpenFinding> OpenFindings);

    public async Task<DpiaPackage> DpiaAsync(Guid clientId, CancellationToken ct)
    {
        var record = await records.ProcessorAsync(clientId, ct);
        var risks = new List<Risk>
        {
            new("processing", "Contact data are held for the client and could be disclosed by a compromise of the service: mitigated by per-contact encryption and the key vault kept apart"),
            new("processing", "Consent records may be challenged: each consent keeps the widget version shown, time and evidence"),
        };
        risks.AddRange((await breaches.ForClientAsync(clientId, ct)).Select(b => new Risk("breach " + b.Id, $"{b.Nature} (status {b.Status}, risk {b.Risk})")));
        risks.AddRange(record.Transfers.Select(t => new Risk("transfer", $"Transfer to {t.Recipient} in {t.Country} under {t.Safeguard}")));
        return new DpiaPackage(clock.GetUtcNow(), record.Controllers.Single(), record.Processor, record.Transfers, record.SecurityMeasures, risks,
            await inventory.HandleAsync(clientId, ct), await flows.HandleAsync(clientId, ct));
    }

    public async Task<MeasuresReport> MeasuresAsync(Guid clientId, CancellationToken ct)
    {
        var o = processor.Value;
        var audits = await db.Set<Inspection>().IgnoreQueryFilters().AsNoTracking().Where(i => i.ClientId == clientId).OrderBy(i => i.RequestedAt)
            .Select(i => new AuditSummary(i.Id, i.Kind, i.AuditorFirm, i.RequestedAt, i.PeriodFrom, i.PeriodTo)).ToListAsync(ct);
        var findings = await db.Set<InstructionFlag>().IgnoreQueryFilters().AsNoTracking().Where(f => f.ClientId == clientId && f.ResolvedAt == null)
            .Select(f => new OpenFinding("instruction-flag", f.Id, f.Reason, f.FlaggedAt)).ToListAsync(ct);
        findings.AddRange((await breaches.ForClientAsync(clientId, ct)).Where(b => b.Status is Breach.Confirmed or Breach.Contained)
            .Select(b => new OpenFinding("breach", b.Id, b.Nature, b.AwareAt ?? b.DetectedAt)));
        return new MeasuresReport(clock.GetUtcNow(), await measures.CurrentAsync(ct), o.Transfers.Select(t => new RecordsOfProcessing.Transfer(t.Recipient, t.Country, t.Safeguard)).ToList(),
            await terms.ForAsync(db, clientId, ct), audits, findings);
    }
}
