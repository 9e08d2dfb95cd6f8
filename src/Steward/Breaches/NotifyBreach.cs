using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.Instructions;

namespace Steward.Breaches;

/// <summary>
/// Sends the notice to the affected clients (P-39, P-41, G-11, Art. 33(2)): by mail through the outbox and in their
/// portal, in phases. Every Art. 33(3) element must be present; after a client's deadline the reason for the delay is
/// required. A suspected incident gets an advisory notice only where the client's terms say so (P-40).
/// </summary>
public sealed class NotifyClients(StewardDb db, AuditLog audit, AuditContext actor, ControllerMail mail, Terms terms,
    IOptions<ProcessorOptions> processor, TimeProvider clock)
{
    public sealed record Request(List<Guid>? ClientIds, string? LateReason);
    public sealed record Sent(Guid ClientId, Guid NoticeId, string Kind, int Phase, bool Late);

    public async Task<Result<List<Sent>>> HandleAsync(Guid breachId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var breach = await db.Set<Breach>().SingleOrDefaultAsync(b => b.Id == breachId, ct);
        if (breach is null) return Errors.NotFound("breach");
        if (breach.Status == Breach.NotABreach) return Errors.Conflict("Triage found no breach: there is nothing to notify.");
        var dpo = processor.Value.DpoContact;
        var missing = NoticeContent.Missing(breach, dpo);
        if (missing.Count > 0)
        {
            var problems = new Problems();
            foreach (var field in missing)
                problems.Add(field, field == "dpoContact"
                    ? "No DPO contact is configured (Steward:Processor:DpoName / DpoEmail)."
                    : "Required in the notice (Art. 33(3)); write \"to follow\" if not yet known, and send a follow-up.");
            return Errors.Invalid(problems);
        }
        if (request.LateReason is { Length: > 4000 }) return Errors.Invalid("lateReason", "At most 4000 characters.");

        var affected = await db.Set<AffectedClient>().IgnoreQueryFilters().Where(a => a.BreachId == breachId).ToListAsync(ct);
        if (request.ClientIds is { } only)
        {
            if (only.Any(id => affected.All(a => a.ClientId != id))) return Errors.Invalid("clientIds", "Not every client named is affected by this breach.");
            affected = affected.Where(a => only.Contains(a.ClientId)).ToList();
        }
        var advisory = breach.Status == Breach.Suspected;
        if (advisory)
        {
            var refused = new List<Guid>();
            foreach (var a in affected)
                if (!(await terms.ForAsync(db, a.ClientId, ct)).NotifyThreatened) refused.Add(a.ClientId);
            if (refused.Count > 0)
                return Errors.Conflict($"The incident is only suspected, and the terms of {refused.Count} client(s) take no advisory notices: confirm it first.");
        }
        var late = affected.Where(a => !advisory && a.NotifiedAt is null && a.DueAt < now).ToList();
        if (late.Count > 0 && string.IsNullOrWhiteSpace(request.LateReason))
            return Errors.Invalid("lateReason", $"The deadline has passed for {late.Count} client(s): give the reason for the delay.");

        var names = await db.Clients.Where(c => affected.Select(a => a.ClientId).Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var previous = await db.Set<BreachNotice>().Where(n => n.BreachId == breachId && n.Audience == "client")
            .GroupBy(n => n.ClientId).Select(g => new { ClientId = g.Key, Count = g.Count() }).ToListAsync(ct);
        var sent = new List<Sent>();
        foreach (var a in affected)
        {
            var phase = (previous.FirstOrDefault(p => p.ClientId == a.ClientId)?.Count ?? 0) + 1;
            var kind = advisory ? "advisory" : a.NotifiedAt is null ? "initial" : "follow-up";
            var isLate = late.Contains(a);
            var content = NoticeContent.Compose(breach, processor.Value.Name, dpo!, names[a.ClientId], kind, phase, isLate ? request.LateReason!.Trim() : null);
            var notice = new BreachNotice
            {
                Id = Guid.CreateVersion7(),
                BreachId = breachId,
                ClientId = a.ClientId,
                Audience = "client",
                Kind = kind,
                Phase = phase,
                Content = content,
                SentAt = now,
                SentBy = RecordBreach.Actor(actor),
                LateReason = isLate ? request.LateReason!.Trim() : null,
            };
            db.Add(notice);
            if (!advisory && a.NotifiedAt is null)
            {
                a.NotifiedAt = now;
                a.LateReason = notice.LateReason;
            }
            await mail.SendAsync(db, a.ClientId, "breach-notice",
                advisory ? $"[Steward] Advisory: suspected security incident {breach.Id}" : $"[Steward] Personal data breach notice {breach.Id} (phase {phase})",
                content, ct);
            await audit.RecordAsync(db, "NotifyBreach", "breach-notice", notice.Id.ToString(), ct, clientId: a.ClientId, status: 201);
            sent.Add(new Sent(a.ClientId, notice.Id, kind, phase, isLate));
        }
        db.Add(RecordBreach.Step(breach.Id, advisory ? "advisory-sent" : "clients-notified", now, actor, $"{sent.Count} client(s)"));
        await write.CommitAsync(ct);
        return sent;
    }
}

/// <summary>
/// Where the processor is itself controller (P-27: its clients' account data), the notice to the supervisory
/// authority: drafted with the Art. 33(3) content, and its submission recorded. After 72 hours (from the earlier of
/// detection and awareness) it needs the reason for the delay (Art. 33(1)).
/// </summary>
public sealed class NotifyAuthority(StewardDb db, AuditLog audit, AuditContext actor, Terms terms, IOptions<ProcessorOptions> processor, TimeProvider clock)
{
    public sealed record Request(string? Reference, string? LateReason);
    /// <param name="Authority">The lead authority the notice goes to (Art. 56(1)); null until one is configured.</param>
    /// <param name="ConcernedAuthorities">Authorities of other countries where affected clients are established (Art. 4(22)).</param>
    public sealed record Draft(Guid BreachId, DateTimeOffset? DueAt, IReadOnlyList<string> Missing, ProcessorOptions.Authority? Authority,
        List<ProcessorOptions.Authority> ConcernedAuthorities, string Content);

    public async Task<Result<Draft>> DraftAsync(Guid breachId, CancellationToken ct)
    {
        var breach = await db.Set<Breach>().AsNoTracking().SingleOrDefaultAsync(b => b.Id == breachId, ct);
        if (breach is null) return Errors.NotFound("breach");
        if (!breach.ProcessorIsController) return Errors.Conflict("The processor is not controller of the data in this breach: the controllers notify their authority.");
        var dpo = processor.Value.DpoContact;
        var concerned = await ConcernedAsync(breachId, ct);
        return new Draft(breach.Id, breach.AuthorityDueAt(terms.Breach.AuthorityHours), NoticeContent.Missing(breach, dpo), processor.Value.LeadAuthority, concerned,
            NoticeContent.Compose(breach, processor.Value.Name, dpo ?? "", Addressee(concerned), "initial", 1, null));
    }

    private async Task<List<ProcessorOptions.Authority>> ConcernedAsync(Guid breachId, CancellationToken ct) => processor.Value.ConcernedAuthorities(
        await db.Set<AffectedClient>().IgnoreQueryFilters().Where(a => a.BreachId == breachId).Select(a => a.ClientId).ToListAsync(ct));

    /// <summary>The lead authority with its contact, and a copy to each concerned one.</summary>
    private string Addressee(List<ProcessorOptions.Authority> concerned)
    {
        var to = processor.Value.LeadAuthority?.ToString() ?? "the competent supervisory authority (none configured for the main establishment)";
        return concerned.Count == 0 ? to : to + "; concerned authorities: " + string.Join("; ", concerned);
    }

    public async Task<Result<Guid>> HandleAsync(Guid breachId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (string.IsNullOrWhiteSpace(request.Reference) || request.Reference.Length > 200)
            return Errors.Invalid("reference", "Record the authority's case or submission reference (at most 200 characters).");
        await using var write = await db.BeginWriteAsync(ct);
        var breach = await db.Set<Breach>().SingleOrDefaultAsync(b => b.Id == breachId, ct);
        if (breach is null) return Errors.NotFound("breach");
        if (!breach.ProcessorIsController) return Errors.Conflict("The processor is not controller of the data in this breach: the controllers notify their authority.");
        if (breach.AwareAt is null) return Errors.Conflict("Confirm the breach before notifying the authority.");
        var dpo = processor.Value.DpoContact;
        var missing = NoticeContent.Missing(breach, dpo);
        if (missing.Count > 0)
        {
            var problems = new Problems();
            foreach (var field in missing) problems.Add(field, "Required in the notice (Art. 33(3)); write \"to follow\" if not yet known.");
            return Errors.Invalid(problems);
        }
        var late = breach.AuthorityNotifiedAt is null && now > breach.AuthorityDueAt(terms.Breach.AuthorityHours);
        if (late && string.IsNullOrWhiteSpace(request.LateReason)) return Errors.Invalid("lateReason", "More than 72 hours have passed: a late notice states the reasons for the delay (Art. 33(1)).");
        var phase = await db.Set<BreachNotice>().CountAsync(n => n.BreachId == breachId && n.Audience == "authority", ct) + 1;
        var notice = new BreachNotice
        {
            Id = Guid.CreateVersion7(),
            BreachId = breachId,
            Audience = "authority",
            Kind = phase == 1 ? "initial" : "follow-up",
            Phase = phase,
            Content = NoticeContent.Compose(breach, processor.Value.Name, dpo!, Addressee(await ConcernedAsync(breachId, ct)), phase == 1 ? "initial" : "follow-up", phase, late ? request.LateReason!.Trim() : null),
            SentAt = now,
            SentBy = RecordBreach.Actor(actor),
            LateReason = late ? request.LateReason!.Trim() : null,
            Reference = request.Reference.Trim(),
        };
        db.Add(notice);
        if (breach.AuthorityNotifiedAt is null) { breach.AuthorityNotifiedAt = now; breach.AuthorityLateReason = notice.LateReason; }
        db.Add(RecordBreach.Step(breach.Id, "authority-notified", now, actor, notice.Reference));
        await audit.RecordAsync(db, "NotifyAuthority", "breach-notice", notice.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return notice.Id;
    }
}

/// <summary>
/// The communications gate (G-11): no statement about a breach to the public or to a third party until every affected
/// client whose terms require it has given its written agreement, or a legal obligation to speak is recorded.
/// </summary>
public sealed class BreachCommunications(StewardDb db, AuditLog audit, AuditContext actor, Terms terms, TimeProvider clock)
{
    public sealed record Approval(string? Reference);
    public sealed record Request(string? Audience, string? Content);

    /// <summary>The client records its written agreement to the content of external communication.</summary>
    public Task<Result<string>> AgreeAsync(Guid clientId, Guid breachId, Approval request, CancellationToken ct) =>
        ApproveAsync(clientId, breachId, "written-agreement", request, ct);

    /// <summary>Staff record a legal duty to communicate (the law requires it regardless of the client's agreement).</summary>
    public Task<Result<string>> LegalObligationAsync(Guid clientId, Guid breachId, Approval request, CancellationToken ct) =>
        ApproveAsync(clientId, breachId, "legal-obligation", request, ct);

    private async Task<Result<string>> ApproveAsync(Guid clientId, Guid breachId, string kind, Approval request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reference) || request.Reference.Length > 1000)
            return Errors.Invalid("reference", kind == "legal-obligation" ? "Cite the legal provision that requires the statement." : "Record what you agree to (at most 1000 characters).");
        await using var write = await db.BeginWriteAsync(ct);
        var affected = await db.Set<AffectedClient>().IgnoreQueryFilters().SingleOrDefaultAsync(a => a.BreachId == breachId && a.ClientId == clientId, ct);
        if (affected is null) return Errors.NotFound("breach");
        affected.CommsApprovalKind = kind;
        affected.CommsApprovalReference = request.Reference.Trim();
        affected.CommsApprovedAt = clock.GetUtcNow();
        await audit.RecordAsync(db, kind == "legal-obligation" ? "RecordBreachLegalObligation" : "AgreeBreachCommunication", "breach", breachId.ToString(), ct, clientId: clientId);
        await write.CommitAsync(ct);
        return kind;
    }

    public async Task<Result<Guid>> SendAsync(Guid breachId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.Audience is not ("public" or "third-party")) problems.Add("audience", "\"public\" or \"third-party\" (clients and the authority have their own notices).");
        if (string.IsNullOrWhiteSpace(request.Content) || request.Content.Length > 20000) problems.Add("content", "Give the statement (at most 20000 characters).");
        if (problems.Any) return Errors.Invalid(problems);
        await using var write = await db.BeginWriteAsync(ct);
        if (!await db.Set<Breach>().AnyAsync(b => b.Id == breachId, ct)) return Errors.NotFound("breach");
        var blocked = new List<Guid>();
        foreach (var a in await db.Set<AffectedClient>().IgnoreQueryFilters().Where(a => a.BreachId == breachId).ToListAsync(ct))
            if (a.CommsApprovalKind is null && (await terms.ForAsync(db, a.ClientId, ct)).ExternalCommsNeedApproval) blocked.Add(a.ClientId);
        if (blocked.Count > 0)
        {
            await audit.RecordAsync(db, "BreachCommunication", "breach", breachId.ToString(), ct, outcome: "refused", status: 409);
            await write.CommitAsync(ct);
            return Errors.Conflict($"{blocked.Count} affected client(s) have not agreed in writing to an external statement, and no legal obligation is recorded (G-11).");
        }
        var notice = new BreachNotice
        {
            Id = Guid.CreateVersion7(),
            BreachId = breachId,
            Audience = request.Audience!,
            Kind = "statement",
            Phase = 1,
            Content = request.Content!.Trim(),
            SentAt = clock.GetUtcNow(),
            SentBy = RecordBreach.Actor(actor),
        };
        db.Add(notice);
        await audit.RecordAsync(db, "BreachCommunication", "breach-notice", notice.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return notice.Id;
    }
}
