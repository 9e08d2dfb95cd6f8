using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;

namespace Steward.Breaches;

/// <summary>
/// The breach register (G-06, Art. 33(5)): every incident with its facts, effects, remedies, clocks and history.
/// Overdue clocks are flagged so the DPO sees them first. Clients see the breaches that affect them, with the notices
/// they were sent (their portal).
/// </summary>
public sealed class BreachRegister(StewardDb db, Terms terms, TimeProvider clock)
{
    public sealed record ClientClock(Guid ClientId, DateTimeOffset? DueAt, DateTimeOffset? NotifiedAt, bool Overdue, string? LateReason,
        string? CommsApprovalKind, DateTimeOffset? CommsApprovedAt);
    public sealed record AuthorityClock(DateTimeOffset? DueAt, DateTimeOffset? NotifiedAt, bool Overdue, string? LateReason);
    public sealed record NoticeView(Guid Id, Guid? ClientId, string Audience, string Kind, int Phase, DateTimeOffset SentAt, string SentBy,
        string? LateReason, string? Reference, string Content);
    public sealed record StepView(string Step, DateTimeOffset At, string By, string? Note);
    public sealed record View(Guid Id, string Status, string Kind, DateTimeOffset DetectedAt, DateTimeOffset? AwareAt, string? AwareBy,
        string? AwareReason, double? TriageHours, DateTimeOffset? OccurredAt, string Nature, string Scope, string? SubjectCategories,
        string? ApproxSubjects, string? RecordCategories, string? ApproxRecords, string? Consequences, string? MeasuresTaken,
        string? MeasuresProposed, string Risk, string? RiskReasoning, string Exemption, string? ExemptionAlgorithm, string? ExemptionKeyRecord,
        bool ProcessorIsController, bool Overdue, AuthorityClock? Authority, List<ClientClock> Clients, List<NoticeView>? Notices,
        List<StepView>? Steps, DateTimeOffset CreatedAt);

    public async Task<List<View>> ListAsync(bool overdueOnly, CancellationToken ct)
    {
        var breaches = await db.Set<Breach>().AsNoTracking().OrderByDescending(b => b.DetectedAt).ToListAsync(ct);
        var ids = breaches.Select(b => b.Id).ToList();
        var clients = await db.Set<AffectedClient>().IgnoreQueryFilters().AsNoTracking().Where(a => ids.Contains(a.BreachId)).ToListAsync(ct);
        var views = breaches.Select(b => ToView(b, clients.Where(c => c.BreachId == b.Id), null, null)).ToList();
        return overdueOnly ? views.Where(v => v.Overdue).ToList() : views;
    }

    public async Task<Result<View>> OneAsync(Guid breachId, CancellationToken ct)
    {
        var breach = await db.Set<Breach>().AsNoTracking().SingleOrDefaultAsync(b => b.Id == breachId, ct);
        if (breach is null) return Errors.NotFound("breach");
        var clients = await db.Set<AffectedClient>().IgnoreQueryFilters().AsNoTracking().Where(a => a.BreachId == breachId).ToListAsync(ct);
        var notices = await db.Set<BreachNotice>().AsNoTracking().Where(n => n.BreachId == breachId).ToListAsync(ct);
        var steps = await db.Set<BreachStep>().AsNoTracking().Where(s => s.BreachId == breachId).ToListAsync(ct);
        return ToView(breach, clients, notices, steps);
    }

    /// <summary>A client's portal: the breaches that affect it, only its own clock and the notices sent to it.</summary>
    public async Task<List<View>> ForClientAsync(Guid clientId, CancellationToken ct)
    {
        var mine = await db.Set<AffectedClient>().AsNoTracking().Where(a => a.ClientId == clientId).ToListAsync(ct);
        var ids = mine.Select(a => a.BreachId).ToList();
        var breaches = await db.Set<Breach>().AsNoTracking().Where(b => ids.Contains(b.Id) && b.Status != Breach.Suspected && b.Status != Breach.NotABreach)
            .OrderByDescending(b => b.DetectedAt).ToListAsync(ct);
        var notices = await db.Set<BreachNotice>().AsNoTracking().Where(n => ids.Contains(n.BreachId) && n.ClientId == clientId).ToListAsync(ct);
        // an advisory about a suspected incident is shown too: the client was told of it
        var advised = notices.Select(n => n.BreachId).Except(breaches.Select(b => b.Id)).ToList();
        if (advised.Count > 0) breaches.AddRange(await db.Set<Breach>().AsNoTracking().Where(b => advised.Contains(b.Id)).ToListAsync(ct));
        return breaches.Select(b => ToView(b, mine.Where(a => a.BreachId == b.Id), notices.Where(n => n.BreachId == b.Id), [])
            with
        { Authority = null, RiskReasoning = null, ExemptionKeyRecord = null }).ToList();
    }

    private View ToView(Breach b, IEnumerable<AffectedClient> clients, IEnumerable<BreachNotice>? notices, IEnumerable<BreachStep>? steps)
    {
        var now = clock.GetUtcNow();
        var clocks = clients.Select(c => new ClientClock(c.ClientId, c.DueAt, c.NotifiedAt, c.NotifiedAt is null && now > c.DueAt, c.LateReason,
            c.CommsApprovalKind, c.CommsApprovedAt)).ToList();
        var due = b.AuthorityDueAt(terms.Breach.AuthorityHours);
        var authority = b.ProcessorIsController
            ? new AuthorityClock(due, b.AuthorityNotifiedAt, b.AuthorityNotifiedAt is null && b.Risk != "none" && now > due, b.AuthorityLateReason)
            : null;
        return new View(b.Id, b.Status, b.Kind, b.DetectedAt, b.AwareAt, b.AwareBy, b.AwareReason, b.Triage?.TotalHours, b.OccurredAt, b.Nature, b.Scope,
            b.SubjectCategories, b.ApproxSubjects, b.RecordCategories, b.ApproxRecords, b.Consequences, b.MeasuresTaken, b.MeasuresProposed,
            b.Risk, b.RiskReasoning, b.Exemption, b.ExemptionAlgorithm, b.ExemptionKeyRecord, b.ProcessorIsController,
            clocks.Any(c => c.Overdue) || authority?.Overdue == true, authority, clocks,
            notices?.OrderBy(n => n.SentAt).Select(n => new NoticeView(n.Id, n.ClientId, n.Audience, n.Kind, n.Phase, n.SentAt, n.SentBy, n.LateReason, n.Reference, n.Content)).ToList(),
            steps?.OrderBy(s => s.At).Select(s => new StepView(s.Step, s.At, s.By, s.Note)).ToList(), b.CreatedAt);
    }
}
