using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Breaches;
using Steward.Data;
using Steward.Requests;
using Steward.Retention;
using Steward.SubProcessors;

namespace Steward.Dpo;

/// <summary>
/// The DPO's desk: what needs a decision now, most urgent first. Open subject requests by the days left (every
/// client's, ids and deadlines only), breach clocks, grants awaiting an approval, sub-processor changes still in their
/// notice period, recurring duties that are due, destructions awaiting an approval or still open, and purges a legal
/// hold suspends. A read over the same queries the API answers from.
/// </summary>
public sealed class Desk(StewardDb db, BreachRegister breaches, ListGrants grants, Changes changes, DutySchedule duties,
    IOptions<RequestOptions> requests, TimeProvider clock)
{
    public sealed record RequestDue(Guid Id, Guid ClientId, string Type, string Status, DateOnly DueOn, int DaysLeft, string DueState);
    /// <param name="PurgeDueAt">When the client's purge was due, if it is cancelled: past means the hold is what keeps the data.</param>
    public sealed record HeldPurge(Guid HoldId, Guid ClientId, Guid? ContactId, string Reason, DateTimeOffset PlacedAt, string ClientStatus, DateTimeOffset? PurgeDueAt);
    public sealed record OpenDestruction(Guid Id, Guid ClientId, string Scope, string Status, DateTimeOffset RequestedAt);
    public sealed record View(List<RequestDue> Requests, List<BreachRegister.View> Breaches, List<GrantView> Grants,
        List<Changes.ChangeView> Changes, List<DutySchedule.View> Duties, List<OpenDestruction> Destructions, List<HeldPurge> Holds);

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
        return new View(due, clocks, pending, noticed, dueDuties, destructions, holds);
    }
}
