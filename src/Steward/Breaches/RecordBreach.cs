using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;

namespace Steward.Breaches;

/// <summary>
/// Records an incident in the register (G-06), notifiable or not. Its affected clients are chosen, or computed from a
/// scope ("all clients with contacts held between these times"). With an awareness time it is confirmed at once and
/// the clocks start; otherwise it is suspected (in triage) until confirmed.
/// </summary>
public sealed class RecordBreach(StewardDb db, AuditLog audit, AuditContext actor, Terms terms, TimeProvider clock)
{
    public sealed record ScopeInput(string? Store, DateTimeOffset? From, DateTimeOffset? To);
    public sealed record Request(DateTimeOffset? DetectedAt, DateTimeOffset? AwareAt, string? AwareReason, DateTimeOffset? OccurredAt,
        string? Nature, string? Kind, bool? ProcessorIsController, List<Guid>? ClientIds, ScopeInput? Scope);

    public async Task<Result<Guid>> HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        if (request.DetectedAt is not { } detected || detected > now) problems.Add("detectedAt", "Give when the incident was first detected (not in the future).");
        if (request.AwareAt is { } aware && (aware > now || (request.DetectedAt is { } d && aware < d)))
            problems.Add("awareAt", "Awareness comes after detection and not in the future.");
        if (request.AwareAt is not null && string.IsNullOrWhiteSpace(request.AwareReason)) problems.Add("awareReason", "Say why the processor is now reasonably certain.");
        if (request.OccurredAt > now) problems.Add("occurredAt", "Not in the future.");
        if (string.IsNullOrWhiteSpace(request.Nature) || request.Nature.Length > 4000) problems.Add("nature", "Describe the nature of the incident (at most 4000 characters).");
        if (request.Kind is not (null or "actual" or "threatened")) problems.Add("kind", "\"actual\" or \"threatened\".");
        if ((request.ClientIds is null) == (request.Scope is null)) problems.Add("clientIds", "Give either the affected clients or a scope to compute them from.");
        if (request.Scope is { } s && (s.Store != "contacts" || s.From is null || s.To is null || s.From > s.To))
            problems.Add("scope", "A scope names the store (\"contacts\") and a from/to period.");
        if (problems.Any) return Errors.Invalid(problems);

        List<Guid> clients;
        string scope;
        if (request.ClientIds is { } ids)
        {
            clients = ids.Distinct().ToList();
            var known = await db.Clients.Where(c => clients.Contains(c.Id)).CountAsync(ct);
            if (known != clients.Count) return Errors.Invalid("clientIds", "Some of these clients do not exist.");
            scope = "chosen";
        }
        else
        {
            var (from, to) = (request.Scope!.From!.Value, request.Scope.To!.Value);
            // a contact created before the period's end was held during it (unless erased before it: then its key is gone)
            clients = await db.Contacts.IgnoreQueryFilters().Where(c => c.CreatedAt <= to).Select(c => c.ClientId).Distinct().ToListAsync(ct);
            scope = $"all clients with data in {request.Scope.Store} between {from:u} and {to:u}";
        }

        var breach = new Breach
        {
            Id = Guid.CreateVersion7(),
            Status = request.AwareAt is null ? Breach.Suspected : Breach.Confirmed,
            Kind = request.Kind ?? "actual",
            DetectedAt = request.DetectedAt!.Value,
            AwareAt = request.AwareAt,
            AwareReason = request.AwareReason?.Trim(),
            AwareBy = request.AwareAt is null ? null : Actor(actor),
            OccurredAt = request.OccurredAt,
            Nature = request.Nature!.Trim(),
            Scope = scope,
            ProcessorIsController = request.ProcessorIsController ?? false,
            CreatedAt = now,
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.Add(breach);
        foreach (var clientId in clients)
        {
            var affected = new AffectedClient { BreachId = breach.Id, ClientId = clientId };
            if (breach.AwareAt is { } a) affected.DueAt = a.AddHours((await terms.ForAsync(db, clientId, ct)).BreachNotifyHours);
            db.Add(affected);
        }
        db.Add(Step(breach.Id, "recorded", now, actor, $"{clients.Count} client(s) affected; {scope}"));
        if (breach.AwareAt is not null) db.Add(Step(breach.Id, Breach.Confirmed, now, actor, breach.AwareReason));
        await audit.RecordAsync(db, "RecordBreach", "breach", breach.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return breach.Id;
    }

    internal static string Actor(AuditContext actor) => actor.ActorId is { } id ? $"{actor.ActorType}:{id}" : actor.ActorType;

    internal static BreachStep Step(Guid breachId, string step, DateTimeOffset at, AuditContext actor, string? note) =>
        new() { Id = Guid.CreateVersion7(), BreachId = breachId, Step = step, At = at, By = Actor(actor), Note = note };
}

/// <summary>
/// Moves a breach on: "confirmed" (the processor is aware: the clocks start from this attributed time, EDPB 9/2022),
/// "not-a-breach" (triage found none: still kept in the register), "contained", "closed".
/// </summary>
public sealed class ChangeBreachStatus(StewardDb db, AuditLog audit, AuditContext actor, Terms terms, TimeProvider clock)
{
    public sealed record Request(string? Status, DateTimeOffset? AwareAt, string? Note);

    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        [Breach.Suspected] = [Breach.Confirmed, Breach.NotABreach],
        [Breach.Confirmed] = [Breach.Contained, Breach.Closed],
        [Breach.Contained] = [Breach.Closed],
        [Breach.Closed] = [],
        [Breach.NotABreach] = [],
    };

    public async Task<Result<string>> HandleAsync(Guid breachId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (string.IsNullOrWhiteSpace(request.Note) || request.Note.Length > 4000) return Errors.Invalid("note", "Say why (at most 4000 characters).");
        await using var write = await db.BeginWriteAsync(ct);
        var breach = await db.Set<Breach>().SingleOrDefaultAsync(b => b.Id == breachId, ct);
        if (breach is null) return Errors.NotFound("breach");
        if (request.Status is null || !Allowed.TryGetValue(breach.Status, out var next) || !next.Contains(request.Status))
            return Errors.Invalid("status", $"From \"{breach.Status}\" the breach can go to: {string.Join(", ", Allowed[breach.Status])}.");
        if (request.Status == Breach.Confirmed)
        {
            var aware = request.AwareAt ?? now;
            if (aware > now || aware < breach.DetectedAt) return Errors.Invalid("awareAt", "Awareness comes after detection and not in the future.");
            breach.AwareAt = aware;
            breach.AwareBy = RecordBreach.Actor(actor);
            breach.AwareReason = request.Note.Trim();
            foreach (var affected in await db.Set<AffectedClient>().IgnoreQueryFilters().Where(a => a.BreachId == breachId).ToListAsync(ct))
                affected.DueAt = aware.AddHours((await terms.ForAsync(db, affected.ClientId, ct)).BreachNotifyHours);
        }
        else if (request.AwareAt is not null) return Errors.Invalid("awareAt", "Only a confirmation sets the awareness time.");
        breach.Status = request.Status;
        db.Add(RecordBreach.Step(breach.Id, request.Status, now, actor, request.Note.Trim()));
        await audit.RecordAsync(db, "ChangeBreachStatus", "breach", breach.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return breach.Status;
    }
}
