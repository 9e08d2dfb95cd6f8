using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Breaches;
using Steward.Data;
using Steward.Measures;
using Steward.Notifications;
using Steward.Requests;
using Steward.Retention;
using Steward.SubProcessors;

namespace Steward.Dpo;

/// <summary>
/// The DPO's desk: what needs a decision now, most urgent first. Open subject requests by the days left (every
/// client's, ids and deadlines only), breach clocks, grants awaiting an approval, sub-processor changes still in their
/// notice period, recurring duties that are due, destructions awaiting an approval or still open, and purges a legal
/// hold suspends, and the export alerts of the last <see cref="AlertDays"/> days. A read over the same queries the API answers from. <see cref="View.Now"/> puts them in one list, most
/// urgent first: what is overdue (longest overdue first), then what falls due soonest, then what waits on a decision.
/// </summary>
public sealed class Desk(StewardDb db, BreachRegister breaches, ListGrants grants, Changes changes, DutySchedule duties,
    IOptions<RequestOptions> requests, TimeProvider clock)
{
    public sealed record RequestDue(Guid Id, Guid ClientId, string Type, string Status, DateOnly DueOn, int DaysLeft, string DueState);
    /// <param name="PurgeDueAt">When the client's purge was due, if it is cancelled: past means the hold is what keeps the data.</param>
    public sealed record HeldPurge(Guid HoldId, Guid ClientId, Guid? ContactId, string Reason, DateTimeOffset PlacedAt, string ClientStatus, DateTimeOffset? PurgeDueAt);
    public sealed record OpenDestruction(Guid Id, Guid ClientId, string Scope, string Status, DateTimeOffset RequestedAt);
    /// <param name="DueAt">When it falls due; null for what has no clock of its own (an approval), ordered after the clocks by <paramref name="Since"/>.</param>
    public sealed record Decision(string Kind, string What, DateTimeOffset? DueAt, bool Overdue, DateTimeOffset Since);
    /// <param name="Unusual">An anomaly (G-38): an unusual volume of exports by one actor; otherwise one export's alert (P-25).</param>
    /// <param name="Actor">Who exported, for an unusual volume ("type:id"); a single export's alert names it only in its mail.</param>
    public sealed record ExportAlertView(DateTimeOffset RaisedAt, Guid? ClientId, bool Unusual, string? Actor);
    public sealed record View(List<Decision> Now, List<RequestDue> Requests, List<BreachRegister.View> Breaches, List<GrantView> Grants,
        List<Changes.ChangeView> Changes, List<DutySchedule.View> Duties, List<OpenDestruction> Destructions, List<HeldPurge> Holds,
        List<ExportAlertView> ExportAlerts);

    /// <summary>How far back the desk shows export alerts: an alert asks the DPO to look once, it has no clock of its own.</summary>
    public const int AlertDays = 7;

    private const string SubjectRequestKind = "Subject request", BreachKind = "Breach", UnusualExportsKind = "Unusual exports";

    public async Task<View> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var open = await db.SubjectRequests.IgnoreQueryFilters().AsNoTracking()
            .Where(r => !SubjectRequest.Closed.Contains(r.Status))
            .OrderBy(r => r.DueOn).ThenBy(r => r.Id).Take(100)
            .Select(r => new { r.Id, r.ClientId, r.Type, r.Status, r.DueOn }).ToListAsync(ct);
        var due = open.Select(r => new RequestDue(r.Id, r.ClientId, r.Type, r.Status, r.DueOn, r.DueOn.DayNumber - today.DayNumber,
            RequestDeadlines.State(r.DueOn, false, now, requests.Value.DueSoonDays))).ToList();
        var clocks = (await breaches.ListAsync(false, ct)).Where(b => b.Status != Breach.Closed)
            .OrderByDescending(b => b.Overdue).ThenBy(b => b.Authority?.DueAt ?? DateTimeOffset.MaxValue).ToList();
        var pending = (await grants.HandleAsync(null, ct)).Where(g => g.Status == "pending").OrderBy(g => g.RequestedAt).ToList();
        var noticed = (await changes.ListAsync(ct)).Where(c => c.EffectiveAt > now || c.Objections.Any(o => o.AnsweredAt is null))
            .OrderBy(c => c.EffectiveAt).ToList();
        var dueDuties = (await duties.ListAsync(false, ct)).Where(d => d.Overdue).OrderBy(d => d.DueAt).ToList();
        var destructions = await db.Destructions.IgnoreQueryFilters().AsNoTracking().Where(d => d.Status != Destruction.Completed)
            .OrderBy(d => d.RequestedAt).Take(100).Select(d => new OpenDestruction(d.Id, d.ClientId, d.Scope, d.Status, d.RequestedAt)).ToListAsync(ct);
        var holds = await (from h in LegalHold.Live(db)
                           join c in db.Clients on h.ClientId equals c.Id
                           orderby h.PlacedAt
                           select new HeldPurge(h.Id, h.ClientId, h.ContactId, h.Reason, h.PlacedAt, c.Status, c.PurgeDueAt)).Take(100).ToListAsync(ct);
        var alerts = await ExportAlertsAsync(now.AddDays(-AlertDays), ct);
        List<Decision> decisions =
        [
            .. due.Select(r => new Decision(SubjectRequestKind, $"{r.Type} {r.Id} (client {r.ClientId}), {r.Status}",
                new DateTimeOffset(r.DueOn.ToDateTime(new TimeOnly(23, 59)), TimeSpan.Zero), r.DueState == "overdue", now)),
            .. clocks.Select(b => new Decision(BreachKind, $"{b.Kind} {b.Id}, {b.Status}",
                new[] { b.Authority is { NotifiedAt: null } a ? a.DueAt : null }.Concat(b.Clients.Where(c => c.NotifiedAt is null).Select(c => c.DueAt)).Min(),
                b.Overdue, b.DetectedAt)),
            .. dueDuties.Select(d => new Decision("Duty", $"{d.Title} ({d.Owner})", d.DueAt, true, d.DueAt)),
            .. noticed.Select(c => new Decision("Sub-processor change", $"{c.SubProcessor}: {c.Objections.Count(o => o.AnsweredAt is null)} objection(s) unanswered",
                c.EffectiveAt, c.EffectiveAt <= now, c.ProposedAt)),
            .. pending.Select(g => new Decision("Grant approval", $"{string.Join(", ", g.Rights)} for {g.Purpose}", null, false, g.RequestedAt)),
            .. destructions.Select(d => new Decision("Destruction", $"{d.Scope} of client {d.ClientId}, {d.Status}", null, d.Status == Destruction.ResidueFound, d.RequestedAt)),
            .. alerts.Select(a => new Decision(a.Unusual ? UnusualExportsKind : "Export alert",
                a.Unusual ? $"by {a.Actor}" + (a.ClientId is { } c ? $" from client {c}" : "") : $"an export of client {a.ClientId}'s data", null, false, a.RaisedAt)),
        ];
        // an overdue deadline owed to a person or an authority (Art. 12(3), Art. 33) before an overdue internal one; among
        // what has no clock, a possible exfiltration (it may be a breach, whose clock starts with awareness) before the rest
        var ordered = decisions.OrderBy(d => d.Overdue ? d.Kind is SubjectRequestKind or BreachKind ? 0 : 1 : 2)
            .ThenBy(d => d.DueAt ?? DateTimeOffset.MaxValue).ThenBy(d => d.Kind == UnusualExportsKind ? 0 : 1).ThenBy(d => d.Since).ToList();
        return new View(ordered, due, clocks, pending, noticed, dueDuties, destructions, holds, alerts);
    }

    /// <summary>
    /// What Steward raised about exports since <paramref name="since"/>, newest first: each export's alert (P-25, from
    /// the outbox: one row per recipient, so one alert per client and time) and each unusual volume of exports (G-38,
    /// from its audit event, whose resource is "exports/actor/client").
    /// </summary>
    private async Task<List<ExportAlertView>> ExportAlertsAsync(DateTimeOffset since, CancellationToken ct)
    {
        var single = await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == ExportAlert.Kind && m.CreatedAt >= since)
            .Select(m => new { m.ClientId, m.CreatedAt }).Distinct().ToListAsync(ct);
        var unusual = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == DetectAnomalies.Action && e.At >= since && e.ResourceId!.StartsWith("exports/"))
            .Select(e => new { e.At, e.ClientId, e.ResourceId }).ToListAsync(ct);
        return [.. single.Select(m => new ExportAlertView(m.CreatedAt, m.ClientId, false, null))
            .Concat(unusual.Select(e => new ExportAlertView(e.At, e.ClientId, true, e.ResourceId!.Split('/')[1])))
            .OrderByDescending(a => a.RaisedAt).Take(100)];
    }
}
