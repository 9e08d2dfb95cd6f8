using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.SubProcessors;

/// <summary>
/// Adding or replacing a sub-processor (G-13, P-36): a proposal announced to every active client through the
/// outbox, in the proposal's own transaction; it takes effect only once the notice period has passed since the
/// notice reached the last client; until then the proposed sub-processor receives nothing.
/// </summary>
public sealed class Changes(StewardDb db, KeyVault vault, Notifier notifier, TransferGate gate, Register register, AuditLog audit,
    IOptions<SubProcessorOptions> options, TimeProvider clock)
{
    public sealed record Proposal(string? Name, string? Website, string? Purpose, string? DataCategories, List<string>? Countries,
        string? ContactEmail, bool DpfCertified, DateTimeOffset? SccsSignedAt, string? SccsModule, string? TransferAssessment,
        Guid? ReplacesId, DateTimeOffset? EffectiveAt);

    public sealed record ObjectionView(Guid Id, Guid ClientId, string Reason, DateTimeOffset ObjectedAt, string Status,
        string? Outcome, string? Answer, DateTimeOffset? AnsweredAt);

    public sealed record ChangeView(Guid Id, Guid SubProcessorId, string SubProcessor, Guid? ReplacesId, DateTimeOffset ProposedAt,
        DateTimeOffset EffectiveAt, string Status, int Notices, int NoticesReceived, IReadOnlyList<ObjectionView> Objections);

    public sealed record ClientChangeView(Guid Id, string SubProcessor, string Purpose, IReadOnlyList<string> Countries, Guid? ReplacesId,
        DateTimeOffset EffectiveAt, string Status, DateTimeOffset? NoticeReceivedAt, DateTimeOffset? ObjectionDeadline, ObjectionView? Objection);

    public sealed record ObjectionRequest(string? Reason);

    public sealed record Answer(string? Outcome, string? Text);

    private int NoticeDays => options.Value.NoticeDays;

    public async Task<Result<ChangeView>> ProposeAsync(Proposal p, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > 100) problems.Add("name", "Give the sub-processor's name (at most 100 characters).");
        if (string.IsNullOrWhiteSpace(p.Purpose) || p.Purpose.Length > 1000) problems.Add("purpose", "Describe the processing (at most 1000 characters).");
        if (string.IsNullOrWhiteSpace(p.DataCategories) || p.DataCategories.Length > 500) problems.Add("dataCategories", "Name the categories of data it receives.");
        var countries = (p.Countries ?? []).Select(c => c.Trim().ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (countries.Count == 0 || countries.Any(c => c.Length != 2 || !c.All(char.IsAsciiLetterUpper)))
            problems.Add("countries", "List the countries where it processes and stores, as ISO 3166 two-letter codes.");
        if (p.Website is { Length: > 200 } || (p.Website is not null && !Uri.TryCreate(p.Website, UriKind.Absolute, out _))) problems.Add("website", "Give an absolute URL.");
        if (p.ContactEmail is not null && (p.ContactEmail.Length > 254 || !p.ContactEmail.Contains('@', StringComparison.Ordinal))) problems.Add("contactEmail", "Give a valid email address.");
        if (p.SccsModule is not null and not ("C2C" or "C2P" or "P2P" or "P2C")) problems.Add("sccsModule", "One of C2C, C2P, P2P, P2C (Decision (EU) 2021/914).");
        var effectiveAt = p.EffectiveAt ?? now.AddDays(NoticeDays);
        if (effectiveAt < now.AddDays(NoticeDays))
            problems.Add("effectiveAt", $"A change takes effect at least {NoticeDays} days after its notice reaches every client: not before {now.AddDays(NoticeDays):u}.");
        if (problems.Any) return Errors.Invalid(problems);
        if (await db.SubProcessors.AnyAsync(s => s.Name == p.Name!.Trim(), ct)) return Errors.Conflict($"A sub-processor named {p.Name!.Trim()} is already in the register.");
        if (p.ReplacesId is { } replaces && !await db.SubProcessors.AnyAsync(s => s.Id == replaces && s.Status == SubProcessor.Active, ct))
            return Errors.Invalid("replacesId", "Not an active sub-processor.");

        var s = new SubProcessor
        {
            Id = Guid.CreateVersion7(),
            Name = p.Name!.Trim(),
            Website = p.Website,
            Purpose = p.Purpose!.Trim(),
            DataCategories = p.DataCategories!.Trim(),
            Countries = string.Join(',', countries),
            ContactEmail = p.ContactEmail?.Trim(),
            DpfCertified = p.DpfCertified,
            SccsSignedAt = p.SccsSignedAt,
            SccsModule = p.SccsModule,
            TransferAssessment = p.TransferAssessment?.Trim(),
            CreatedAt = now,
        };
        // P-35: no sub-processor where the data would have no lawful way to go
        if (gate.LocationProblem(s) is { } location) return Errors.Conflict("The transfer gate refuses this sub-processor: " + location);
        var change = new SubProcessorChange { Id = Guid.CreateVersion7(), SubProcessorId = s.Id, ReplacesId = p.ReplacesId, ProposedAt = now, EffectiveAt = effectiveAt };

        await using var write = await db.BeginWriteAsync(ct);
        db.SubProcessors.Add(s);
        db.SubProcessorChanges.Add(change);
        var replaced = p.ReplacesId is null ? null : await db.SubProcessors.Where(x => x.Id == p.ReplacesId).Select(x => x.Name).SingleAsync(ct);
        var notices = 0;
        foreach (var (clientId, email) in await OwnersAsync(ct))
        {
            var deadline = "within " + options.Value.ObjectionDays.ToString(CultureInfo.InvariantCulture) + " days of receiving this notice";
            var message = new Notifier.Message("subprocessor-change", clientId, email,
                $"[Steward] Notice of a new sub-processor: {s.Name}, effective {effectiveAt:yyyy-MM-dd} at the earliest",
                $"""
                We intend to {(replaced is null ? "add a sub-processor" : $"replace {replaced} with a new sub-processor")}.

                Sub-processor:   {s.Name} {s.Website}
                Processing:      {s.Purpose}
                Data categories: {s.DataCategories}
                Countries:       {s.Countries}
                Transfer basis:  {register.TransferBasis(s)}
                Effective:       not before {effectiveAt:yyyy-MM-dd HH:mm} UTC, and at least {NoticeDays} days after this notice reaches you.

                You may object {deadline}, giving your reasons:
                POST /v1/clients/{clientId}/subprocessor-changes/{change.Id}/objections
                Until then it receives none of your data; while your objection is open, it receives none of it either.
                """);
            var outboxId = await notifier.EnqueueAsync(db, message, ct);
            db.ChangeNotices.Add(new ChangeNotice { Id = Guid.CreateVersion7(), ClientId = clientId, ChangeId = change.Id, OutboxMessageId = outboxId, SentAt = now });
            notices++;
        }
        await audit.RecordAsync(db, "ProposeSubProcessor", "subprocessor-change", change.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new ChangeView(change.Id, s.Id, s.Name, change.ReplacesId, now, effectiveAt, change.Status, notices, 0, []);
    }

    /// <summary>When each client received its notice: the delivery of its outbox message (null until delivered).</summary>
    private async Task<List<ReceiptRow>> ReceiptsAsync(Guid changeId, Guid? clientId, CancellationToken ct) =>
        await (from n in db.ChangeNotices.IgnoreQueryFilters()
               join m in db.OutboxMessages on n.OutboxMessageId equals m.Id
               where n.ChangeId == changeId && (clientId == null || n.ClientId == clientId)
               select new ReceiptRow(n.ClientId, m.DeliveredAt)).ToListAsync(ct);

    private sealed record ReceiptRow(Guid ClientId, DateTimeOffset? ReceivedAt);

    /// <summary>
    /// Puts a change into effect (G-13, P-36, G-14): only once every client has received its notice and the notice
    /// period has run from the last receipt, and only with current evidence. The replaced sub-processor retires.
    /// </summary>
    public async Task<Result<ChangeView>> ActivateAsync(Guid changeId, CancellationToken ct)
    {
        var change = await db.SubProcessorChanges.SingleOrDefaultAsync(c => c.Id == changeId, ct);
        if (change is null) return Errors.NotFound("sub-processor change");
        if (change.Status != SubProcessorChange.Pending) return Errors.Conflict("This change is already in effect.");
        var now = clock.GetUtcNow();
        var receipts = await ReceiptsAsync(changeId, null, ct);
        if (receipts.Any(r => r.ReceivedAt is null))
            return Errors.Conflict($"The notice has not yet reached {receipts.Count(r => r.ReceivedAt is null)} client(s): the notice period has not started for them.");
        var earliest = receipts.Count == 0 ? change.EffectiveAt : new[] { change.EffectiveAt, receipts.Max(r => r.ReceivedAt!.Value).AddDays(NoticeDays) }.Max();
        if (now < earliest) return Errors.Conflict($"The notice period has not run: this change can take effect on {earliest:u} at the earliest.");
        var s = await db.SubProcessors.SingleAsync(x => x.Id == change.SubProcessorId, ct);
        if (gate.EvidenceProblem(s) is { } evidence) return Errors.Conflict($"{s.Name} cannot be activated: {evidence}.");
        if (gate.LocationProblem(s) is { } location) return Errors.Conflict($"{s.Name} cannot be activated: {location}");

        await using var write = await db.BeginWriteAsync(ct);
        change.Status = SubProcessorChange.Effective;
        change.TookEffectAt = now;
        change.EffectiveAt = earliest;
        s.Status = SubProcessor.Active;
        s.ActivatedAt = now;
        if (change.ReplacesId is { } replaced)
            await db.SubProcessors.Where(x => x.Id == replaced).ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, SubProcessor.Retired), ct);
        // G-12: each client is told that where its data lives has changed
        foreach (var (clientId, email) in await OwnersAsync(ct))
            await notifier.EnqueueAsync(db, new Notifier.Message("subprocessor-effective", clientId, email,
                $"[Steward] {s.Name} is now a sub-processor",
                $"""
                The change announced on {change.ProposedAt:yyyy-MM-dd} is now in effect: {s.Name} ({s.Countries}) processes {s.DataCategories}.
                Where your data lives: GET /v1/clients/{clientId}/data-locations
                If you objected and your objection is not resolved, none of your data flows to it.
                """), ct);
        await audit.RecordAsync(db, "ActivateSubProcessor", "subprocessor-change", change.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return await ViewAsync(change, ct);
    }

    /// <summary>The job's part: every pending change whose time has come and whose conditions hold takes effect.</summary>
    public async Task<int> ActivateDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.SubProcessorChanges.Where(c => c.Status == SubProcessorChange.Pending && c.EffectiveAt <= now).Select(c => c.Id).ToListAsync(ct);
        var activated = 0;
        foreach (var id in due)
        {
            db.ChangeTracker.Clear();
            if ((await ActivateAsync(id, ct)).IsSuccess) activated++;
        }
        return activated;
    }

    /// <summary>A client objects (G-13): within the objection window from its own receipt, with reasons.</summary>
    public async Task<Result<ObjectionView>> ObjectAsync(Guid clientId, Guid changeId, ObjectionRequest request, CancellationToken ct)
    {
        var notice = await db.ChangeNotices.AnyAsync(n => n.ChangeId == changeId, ct);
        if (!notice) return Errors.NotFound("sub-processor change");
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Trim().Length < 10)
            return Errors.Invalid("reason", "Give fair and concrete reasons for the objection.");
        if (request.Reason.Length > 2000) return Errors.Invalid("reason", "At most 2000 characters.");
        var now = clock.GetUtcNow();
        var receipt = (await ReceiptsAsync(changeId, clientId, ct)).Single().ReceivedAt;
        var window = options.Value.ObjectionDays;
        if (receipt is { } received && now > received.AddDays(window))
            return Errors.Conflict($"The objection window closed on {received.AddDays(window):u}: objections are accepted within {window} days of receiving the notice ({received:u}).");
        if (await db.Objections.AnyAsync(o => o.ChangeId == changeId, ct)) return Errors.Conflict("This client has already objected to this change.");

        var objection = new Objection { Id = Guid.CreateVersion7(), ClientId = clientId, ChangeId = changeId, Reason = request.Reason.Trim(), ObjectedAt = now };
        await using var write = await db.BeginWriteAsync(ct);
        db.Objections.Add(objection);
        await audit.RecordAsync(db, "ObjectToSubProcessor", "objection", objection.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return ToView(objection);
    }

    /// <summary>
    /// The processor answers an objection: "alternative" (the client's data never goes to it), "terminated" (the
    /// client leaves; nothing flows meanwhile), or "withdrawn" (the client accepts the change after all).
    /// </summary>
    public async Task<Result<ObjectionView>> AnswerAsync(Guid objectionId, Answer answer, CancellationToken ct)
    {
        var objection = await db.Objections.IgnoreQueryFilters().SingleOrDefaultAsync(o => o.Id == objectionId, ct);
        if (objection is null) return Errors.NotFound("objection");
        if (answer.Outcome is not ("alternative" or "terminated" or "withdrawn")) return Errors.Invalid("outcome", "One of alternative, terminated, withdrawn.");
        if (string.IsNullOrWhiteSpace(answer.Text) || answer.Text.Length > 2000) return Errors.Invalid("text", "Give the answer sent to the client (at most 2000 characters).");
        if (objection.Status != Objection.Open) return Errors.Conflict("This objection is already answered.");
        await using var write = await db.BeginWriteAsync(ct);
        objection.Status = Objection.Resolved;
        objection.Outcome = answer.Outcome;
        objection.Answer = answer.Text.Trim();
        objection.AnsweredAt = clock.GetUtcNow();
        await audit.RecordAsync(db, "AnswerObjection", "objection", objection.Id.ToString(), ct, objection.ClientId);
        await write.CommitAsync(ct);
        return ToView(objection);
    }

    /// <summary>The DPO's view: every change with its notices and the clients objecting.</summary>
    public async Task<List<ChangeView>> ListAsync(CancellationToken ct)
    {
        var changes = await db.SubProcessorChanges.AsNoTracking().OrderByDescending(c => c.ProposedAt).ToListAsync(ct);
        var views = new List<ChangeView>();
        foreach (var c in changes) views.Add(await ViewAsync(c, ct));
        return views;
    }

    private async Task<ChangeView> ViewAsync(SubProcessorChange c, CancellationToken ct)
    {
        var name = await db.SubProcessors.Where(s => s.Id == c.SubProcessorId).Select(s => s.Name).SingleAsync(ct);
        var receipts = await ReceiptsAsync(c.Id, null, ct);
        var objections = await db.Objections.IgnoreQueryFilters().AsNoTracking().Where(o => o.ChangeId == c.Id).OrderBy(o => o.ObjectedAt).ToListAsync(ct);
        return new ChangeView(c.Id, c.SubProcessorId, name, c.ReplacesId, c.ProposedAt, c.EffectiveAt, c.Status, receipts.Count,
            receipts.Count(r => r.ReceivedAt is not null), objections.Select(ToView).ToList());
    }

    /// <summary>What one client sees: the changes announced to it, when it received each, until when it may object.</summary>
    public async Task<List<ClientChangeView>> ForClientAsync(Guid clientId, CancellationToken ct)
    {
        var rows = await (from n in db.ChangeNotices
                          join c in db.SubProcessorChanges on n.ChangeId equals c.Id
                          join s in db.SubProcessors on c.SubProcessorId equals s.Id
                          join m in db.OutboxMessages on n.OutboxMessageId equals m.Id
                          orderby c.ProposedAt descending
                          select new { c, s, m.DeliveredAt }).AsNoTracking().ToListAsync(ct);
        var objections = await db.Objections.AsNoTracking().ToDictionaryAsync(o => o.ChangeId, ct);
        return rows.Select(r => new ClientChangeView(r.c.Id, r.s.Name, r.s.Purpose, r.s.CountryList, r.c.ReplacesId, r.c.EffectiveAt, r.c.Status,
            r.DeliveredAt, r.DeliveredAt?.AddDays(options.Value.ObjectionDays),
            objections.TryGetValue(r.c.Id, out var o) ? ToView(o) : null)).ToList();
    }

    private static ObjectionView ToView(Objection o) => new(o.Id, o.ClientId, o.Reason, o.ObjectedAt, o.Status, o.Outcome, o.Answer, o.AnsweredAt);

    /// <summary>The owner's address of every active client: who receives notices under the DPA (G-24).</summary>
    private async Task<List<(Guid ClientId, string Email)>> OwnersAsync(CancellationToken ct)
    {
        var owners = await (from u in db.ClientUsers.IgnoreQueryFilters()
                            join c in db.Clients on u.ClientId equals c.Id
                            where c.Status == "active" && u.Role == "owner" && u.RemovedAt == null
                            orderby u.CreatedAt
                            select new { u.Id, u.ClientId, u.EmailSealed }).ToListAsync(ct);
        var result = new List<(Guid, string)>();
        foreach (var owner in owners.DistinctBy(o => o.ClientId))
        {
            using var key = await vault.OpenAsync(owner.ClientId, owner.Id, ct);
            if (key is null) continue; // an erased owner: the client is reached in-app
            result.Add((owner.ClientId, Encoding.UTF8.GetString(key.Open("email", owner.EmailSealed))));
        }
        return result;
    }
}
