using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;

namespace Steward.Measures;

/// <summary>
/// The processor changes a measure, or adds one (P-38, G-27): a new version with its written rationale, logged, and
/// announced to every client through the outbox (DPA Art 6.2: the processor informs the controller of adjustments).
/// </summary>
public sealed class ReviseMeasure(StewardDb db, ControllerMail mail, AuditLog audit, AuditContext actor, IOptions<MeasureOptions> options, TimeProvider clock)
{
    public const string NoticeKind = "measure-change";

    public sealed record Request(string? Title, string? Description, string? Category, string? Source, string? Owner, string? ProvedBy, string? Rationale);
    public sealed record Response(string Key, int Version, int ClientsNotified);

    public async Task<Result<Response>> HandleAsync(string key, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(key) || key.Length > 80 || !key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            problems.Add("key", "A measure's key is lower-case letters, digits and dashes (at most 80).");
        if (string.IsNullOrWhiteSpace(request.Rationale) || request.Rationale.Length > 2000)
            problems.Add("rationale", "Say why the measure changes (at most 2000 characters): significant changes need a documented rationale (G-27).");
        if (request.Title is { Length: 0 or > 200 }) problems.Add("title", "At most 200 characters.");
        if (request.Description is { Length: 0 or > 4000 }) problems.Add("description", "At most 4000 characters.");
        if (request.Category is not (null or Measure.Technical or Measure.Organisational)) problems.Add("category", "technical or organisational.");
        if (request.Source is { Length: 0 or > 200 }) problems.Add("source", "At most 200 characters.");
        if (request.Owner is { Length: 0 or > 50 }) problems.Add("owner", "At most 50 characters.");
        if (request.ProvedBy is { Length: > 300 }) problems.Add("provedBy", "At most 300 characters.");
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        var current = await db.Set<Measure>().SingleOrDefaultAsync(m => m.Key == key && m.Current, ct);
        if (current is null && (request.Title is null || request.Description is null || request.Category is null || request.Owner is null))
            return Errors.Invalid("title", "A new measure needs its title, description, category and owner.");
        var now = clock.GetUtcNow();
        var provedBy = request.ProvedBy is null ? current?.ProvedBy : request.ProvedBy.Length == 0 ? null : request.ProvedBy;
        var next = new Measure
        {
            Id = Guid.CreateVersion7(),
            Key = key,
            Version = (current?.Version ?? 0) + 1,
            Current = true,
            Title = request.Title?.Trim() ?? current!.Title,
            Description = request.Description?.Trim() ?? current!.Description,
            Category = request.Category ?? current!.Category,
            Source = request.Source?.Trim() ?? current?.Source ?? "processor",
            Owner = request.Owner?.Trim() ?? current!.Owner,
            ProvedBy = provedBy,
            // a changed measure keeps its evidence only where a test still proves it; otherwise it is attested anew
            EvidenceKind = provedBy is null ? null : Measure.Test,
            Evidence = provedBy is null ? null : "tests/Steward.Tests: " + provedBy,
            EvidenceAt = provedBy is null ? null : now,
            ReviewDueAt = now.AddDays(provedBy is null ? options.Value.FirstAttestationDays : options.Value.ReviewIntervalDays),
            ChangedAt = now,
            ChangedBy = actor.ActorId ?? actor.ActorType,
            Rationale = request.Rationale!.Trim(),
        };
        if (current is not null) current.Current = false;
        db.Add(next);

        var subject = $"Security measures changed: {next.Title}";
        string Body(Guid clientId) => $"""
            The processor has {(current is null ? "added" : "changed")} a technical or organisational measure (version {next.Version}).

            {next.Title}: {next.Description}

            Why: {next.Rationale}

            The register of measures is in your account (GET /v1/clients/{clientId}/measures).
            """;
        var clients = await db.Clients.AsNoTracking().Select(c => c.Id).ToListAsync(ct);
        foreach (var clientId in clients)
            await mail.SendAsync(db, clientId, NoticeKind, subject, Body(clientId), ct);
        await audit.RecordAsync(db, "ReviseMeasure", "measure", $"{key}/{next.Version}", ct);
        await write.CommitAsync(ct);
        return new Response(key, next.Version, clients.Count);
    }
}

/// <summary>
/// The owner records evidence for a measure's current version (G-07, P-13): a test result, a document or a dated
/// attestation. The review falls due again one interval after the evidence date. No client notice: nothing changed.
/// </summary>
public sealed class RecordEvidence(StewardDb db, AuditLog audit, AuditContext actor, IOptions<MeasureOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Kind, string? Evidence, DateTimeOffset? At);

    public async Task<Result<MeasureRegister.View>> HandleAsync(string key, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        if (request.Kind is not (Measure.Test or Measure.Document or Measure.Attestation)) problems.Add("kind", "test, document or attestation.");
        if (string.IsNullOrWhiteSpace(request.Evidence) || request.Evidence.Length > 2000)
            problems.Add("evidence", "Say what shows the measure works: the document, the test run, what was checked (at most 2000 characters).");
        if (request.At is not { } at || at > now || at < now.AddDays(-options.Value.ReviewIntervalDays))
            problems.Add("at", "The date of the evidence: not in the future, and within the review interval.");
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        var measure = await db.Set<Measure>().SingleOrDefaultAsync(m => m.Key == key && m.Current, ct);
        if (measure is null) return Errors.NotFound("measure");
        measure.EvidenceKind = request.Kind;
        measure.Evidence = request.Evidence!.Trim();
        measure.EvidenceAt = request.At;
        measure.EvidenceBy = actor.ActorId ?? actor.ActorType;
        measure.ReviewDueAt = request.At!.Value.AddDays(options.Value.ReviewIntervalDays);
        measure.LastAlertAt = null;
        await audit.RecordAsync(db, "RecordMeasureEvidence", "measure", $"{key}/{measure.Version}", ct);
        await write.CommitAsync(ct);
        return MeasureRegister.View.Of(measure, now);
    }
}
