using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.SubProcessors;

namespace Steward.Agreements;

/// <summary>
/// An authorised person (the compliance desk) publishes a new version of a document, in writing with its rationale
/// (G-23). Every client is told through the outbox, with the effective date no sooner than the notice the policy
/// asks (G-01: 30 days for a law-driven change); a new DPA creates a flow-down task per active sub-processor (G-23).
/// </summary>
public sealed class PublishAgreement(StewardDb db, ControllerMail mail, AuditLog audit, AuditContext actor,
    IOptions<AgreementOptions> options, TimeProvider clock)
{
    public const string NoticeKind = "agreement-change";
    public const string FlowDownKind = "dpa-flow-down";

    public sealed record Request(string? Document, string? Version, string? Title, string? Body, DateTimeOffset? EffectiveFrom, bool? LawDriven, string? Rationale);
    public sealed record Response(Guid Id, string Document, string Version, DateTimeOffset EffectiveFrom, bool LawDriven, int ClientsNotified, int FlowDownTasks);

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var lawDriven = request.LawDriven ?? false;
        var noticeDays = lawDriven ? options.Value.LawChangeNoticeDays : options.Value.ChangeNoticeDays;
        var documents = await db.Agreements.Select(a => a.Document).Distinct().ToListAsync(ct);
        var problems = new Problems();
        if (request.Document is null || !documents.Contains(request.Document))
            problems.Add("document", $"Name one of the documents: {string.Join(", ", documents.Order(StringComparer.Ordinal))}.");
        if (string.IsNullOrWhiteSpace(request.Version) || request.Version.Length > 50 || request.Version.Any(c => char.IsWhiteSpace(c) || c == '/'))
            problems.Add("version", "Give the new version (at most 50 characters, no spaces or slashes).");
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200) problems.Add("title", "Give the title (at most 200 characters).");
        if (string.IsNullOrWhiteSpace(request.Body) || request.Body.Length > 200_000) problems.Add("body", "Give the full text (at most 200,000 characters).");
        if (string.IsNullOrWhiteSpace(request.Rationale) || request.Rationale.Length > 2000)
            problems.Add("rationale", "Say in writing why the text changes (at most 2000 characters).");
        if (request.EffectiveFrom is not { } effective || effective < now.AddDays(noticeDays))
            problems.Add("effectiveFrom", $"A {(lawDriven ? "law-driven " : "")}change takes effect at least {noticeDays} days after the notice: from {now.AddDays(noticeDays):O} on.");
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        if (await db.Agreements.AnyAsync(a => a.Document == request.Document && a.Version == request.Version, ct))
            return Errors.Conflict($"{request.Document} version {request.Version} exists: a published version is never changed.");
        var body = request.Body!.ReplaceLineEndings("\n");
        var agreement = new Agreement
        {
            Id = Guid.CreateVersion7(),
            Document = request.Document!,
            Version = request.Version!,
            Title = request.Title!.Trim(),
            Body = body,
            BodySha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))),
            EffectiveFrom = request.EffectiveFrom!.Value,
            PublishedAt = now,
            LawDriven = lawDriven,
            Rationale = request.Rationale!.Trim(),
            PublishedBy = actor.ActorId,
        };
        db.Agreements.Add(agreement);

        var subject = $"{agreement.Title}: version {agreement.Version} takes effect on {agreement.EffectiveFrom:yyyy-MM-dd}";
        var text = $"""
            A new version of {agreement.Title} ({agreement.Document} {agreement.Version}) takes effect on {agreement.EffectiveFrom:yyyy-MM-dd HH:mm} UTC.
            {(lawDriven ? "The change is required by a change in data-protection law: it binds from that date and costs you nothing." : "Please review and accept it; until you do, the version you accepted keeps binding.")}

            Why it changes: {agreement.Rationale}

            Full text: {AgreementBindings.Url(agreement)} (SHA-256 {agreement.BodySha256})
            """;
        var clients = await db.Clients.AsNoTracking().Select(c => c.Id).ToListAsync(ct);
        foreach (var clientId in clients)
            foreach (var messageId in await mail.SendToOwnersAsync(db, clientId, NoticeKind, subject, text, ct))
                db.Add(new AgreementNotice { Id = Guid.CreateVersion7(), ClientId = clientId, AgreementId = agreement.Id, MessageId = messageId, SentAt = now });

        var flowDown = 0;
        if (agreement.Document == "dpa")
            foreach (var name in await db.SubProcessors.Where(s => s.Status == SubProcessor.Active).Select(s => s.Name).ToListAsync(ct))
            {
                db.Add(new Duty
                {
                    Id = Guid.CreateVersion7(),
                    Kind = FlowDownKind,
                    Title = $"Bind {name} to DPA {agreement.Version} (G-23)",
                    Owner = "dpo",
                    DueAt = agreement.EffectiveFrom,
                    CreatedAt = now,
                });
                flowDown++;
            }
        await audit.RecordAsync(db, "PublishAgreement", "agreement", agreement.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return new Response(agreement.Id, agreement.Document, agreement.Version, agreement.EffectiveFrom, lawDriven, clients.Count, flowDown);
    }
}
