using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Breaches;
using Steward.Data;
using Steward.Inspections;

namespace Steward.Instructions;

/// <summary>
/// The terms of one client's DPA where the seeds differ (REQUIREMENTS A.3). A null term takes the deployment's
/// default from configuration, so a client with no row follows the deployment.
/// </summary>
public sealed class DpaTerms : ITenantOwned
{
    public Guid ClientId { get; set; }
    /// <summary>`breach.processorNotifySla`: hours from awareness to the notice to this client (never above the ceiling).</summary>
    public int? BreachNotifyHours { get; set; }
    /// <summary>`breach.notifyThreatened`: suspected incidents produce an advisory notice.</summary>
    public bool? NotifyThreatened { get; set; }
    /// <summary>`breach.externalCommsNeedsControllerApproval` (G-11).</summary>
    public bool? ExternalCommsNeedApproval { get; set; }
    /// <summary>`processor.ownStatisticsAllowed` (P-29).</summary>
    public bool? OwnStatisticsAllowed { get; set; }
    /// <summary>`audit.routineFrequency`: months between routine audits; 0 = no limit (G-19).</summary>
    public int? AuditIntervalMonths { get; set; }
    /// <summary>`retention.postTerminationDays`: the grace window after cancellation (P-20; GenieBelt 60, G-45).</summary>
    public int? PostTerminationDays { get; set; }
    /// <summary>`softDelete.restoreDays`: how long a deleted contact stays in the trash; 0 = delete means erase (G-44).</summary>
    public int? RestoreDays { get; set; }
    /// <summary>`export.freeCount`: return exports that are free; later ones are counted billable (G-21).</summary>
    public int? ExportFreeCount { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<DpaTerms>(e => e.HasKey(t => t.ClientId));

    public sealed record Effective(int BreachNotifyHours, bool NotifyThreatened, bool ExternalCommsNeedApproval,
        bool OwnStatisticsAllowed, int AuditIntervalMonths, int PostTerminationDays, int RestoreDays, int ExportFreeCount);

    /// <summary>The terms in force for a client: its own, or the deployment's defaults.</summary>
    public static async Task<Effective> ForAsync(StewardDb db, Guid clientId, BreachOptions breach, InspectionOptions audit,
        InstructionOptions instructions, Retention.RetentionOptions retention, CancellationToken ct)
    {
        var own = await db.Set<DpaTerms>().IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(t => t.ClientId == clientId, ct);
        return new Effective(
            Math.Min(own?.BreachNotifyHours ?? breach.ProcessorNotifyHours, breach.CeilingHours),
            own?.NotifyThreatened ?? breach.NotifyThreatened,
            own?.ExternalCommsNeedApproval ?? breach.ExternalCommsNeedControllerApproval,
            own?.OwnStatisticsAllowed ?? instructions.OwnStatisticsAllowed,
            own?.AuditIntervalMonths ?? audit.RoutineIntervalMonths,
            own?.PostTerminationDays ?? retention.PostTerminationDays,
            own?.RestoreDays ?? retention.RestoreDays,
            own?.ExportFreeCount ?? retention.ExportFreeCount);
    }
}

/// <summary>Reads the effective terms with the deployment defaults at hand.</summary>
public sealed class Terms(IOptions<BreachOptions> breach, IOptions<InspectionOptions> audit, IOptions<InstructionOptions> instructions,
    IOptions<Retention.RetentionOptions> retention)
{
    public BreachOptions Breach => breach.Value;
    public InstructionOptions Instructions => instructions.Value;

    public Task<DpaTerms.Effective> ForAsync(StewardDb db, Guid clientId, CancellationToken ct) =>
        DpaTerms.ForAsync(db, clientId, breach.Value, audit.Value, instructions.Value, retention.Value, ct);
}
