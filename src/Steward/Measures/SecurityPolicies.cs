using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;

namespace Steward.Measures;

/// <summary>A client uploads its IT security policy or site rules in writing (G-02); the processor must review it within the SLA.</summary>
public sealed class UploadSecurityPolicy(StewardDb db, KeyVault vault, AuditLog audit, IOptions<MeasureOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Title, string? FileName, string? ContentBase64);
    public sealed record View(Guid Id, string Title, string FileName, string Sha256, DateTimeOffset UploadedAt, DateTimeOffset ReviewDueAt,
        DateTimeOffset? ReviewedAt, string? Outcome, string? Notes)
    {
        public static View Of(ClientSecurityPolicy p) => new(p.Id, p.Title, p.FileName, p.Sha256, p.UploadedAt, p.ReviewDueAt, p.ReviewedAt, p.Outcome, p.Notes);
    }

    public async Task<Result<View>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200) problems.Add("title", "Give the policy's title (at most 200 characters).");
        if (string.IsNullOrWhiteSpace(request.FileName) || request.FileName.Length > 200 || request.FileName.IndexOfAny(['/', '\\']) >= 0)
            problems.Add("fileName", "Give the file's name (at most 200 characters, no path).");
        var content = Agreements.RecordSignature.Decode(request.ContentBase64);
        if (content is null or { Length: 0 or > 10_000_000 }) problems.Add("contentBase64", "Upload the document (base64, at most 10 MB).");
        if (problems.Any) return Errors.Invalid(problems);

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        using var key = await vault.CreateAsync(clientId, id, ct);
        var policy = new ClientSecurityPolicy
        {
            Id = id,
            ClientId = clientId,
            Title = request.Title!.Trim(),
            FileName = request.FileName!.Trim(),
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content!)),
            ContentSealed = key.Seal("content", content!),
            UploadedAt = now,
            ReviewDueAt = now.AddDays(options.Value.PolicyReviewDays),
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.Add(policy);
        await audit.RecordAsync(db, "UploadSecurityPolicy", "security-policy", id.ToString(), ct, clientId, status: 201);
        await write.CommitAsync(ct);
        return View.Of(policy);
    }
}

/// <summary>The processor records its review of a client's security policy: accepted, or issues raised (G-02); the client is told.</summary>
public sealed class ReviewSecurityPolicy(StewardDb db, ControllerMail mail, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record Request(string? Outcome, string? Notes);

    public async Task<Result<UploadSecurityPolicy.View>> HandleAsync(Guid policyId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.Outcome is not (ClientSecurityPolicy.Accepted or ClientSecurityPolicy.IssuesRaised))
            problems.Add("outcome", $"{ClientSecurityPolicy.Accepted} or {ClientSecurityPolicy.IssuesRaised}.");
        if (string.IsNullOrWhiteSpace(request.Notes) || request.Notes.Length > 4000) problems.Add("notes", "Record what was reviewed and found (at most 4000 characters).");
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        var policy = await db.Set<ClientSecurityPolicy>().IgnoreQueryFilters().SingleOrDefaultAsync(p => p.Id == policyId, ct);
        if (policy is null) return Errors.NotFound("security policy");
        if (policy.ReviewedAt is not null) return Errors.Conflict("This policy is already reviewed; a new upload gets a new review.");
        policy.ReviewedAt = clock.GetUtcNow();
        policy.ReviewedBy = actor.ActorId ?? actor.ActorType;
        policy.Outcome = request.Outcome;
        policy.Notes = request.Notes!.Trim();
        await mail.SendAsync(db, policy.ClientId, "security-policy-review", $"Your security policy \"{policy.Title}\": {policy.Outcome}",
            $"The processor reviewed \"{policy.Title}\" ({policy.FileName}, SHA-256 {policy.Sha256}).\n\nOutcome: {policy.Outcome}\n\n{policy.Notes}", ct);
        await audit.RecordAsync(db, "ReviewSecurityPolicy", "security-policy", policy.Id.ToString(), ct, policy.ClientId);
        await write.CommitAsync(ct);
        return UploadSecurityPolicy.View.Of(policy);
    }
}

/// <summary>
/// Overdue measure reviews and client policies past their review SLA alert the DPO (G-02, G-07, P-13), again every
/// <see cref="MeasureOptions.RealertHours"/> until done. Each alert is recorded in its row with its outbox message.
/// </summary>
public sealed class RemindMeasureReviews(StewardDb db, ControllerMail mail, IOptions<ProcessorOptions> processor, IOptions<MeasureOptions> options, TimeProvider clock)
{
    public const string Kind = "measure-review-overdue";

    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var realert = now.AddHours(-options.Value.RealertHours);
        await using var write = await db.BeginWriteAsync(ct);
        var measures = await db.Set<Measure>().Where(m => m.Current && m.ReviewDueAt < now && (m.LastAlertAt == null || m.LastAlertAt <= realert)).ToListAsync(ct);
        var policies = await db.Set<ClientSecurityPolicy>().IgnoreQueryFilters()
            .Where(p => p.ReviewedAt == null && p.ReviewDueAt < now && (p.LastAlertAt == null || p.LastAlertAt <= realert)).ToListAsync(ct);
        foreach (var m in measures)
        {
            m.LastAlertAt = now;
            await mail.SendStaffAsync(db, processor.Value.Dpo, Kind, null, $"Measure review overdue: {m.Title}",
                $"The measure \"{m.Title}\" ({m.Key} v{m.Version}, owner {m.Owner}) was due for review on {m.ReviewDueAt:yyyy-MM-dd}. "
                + (m.EvidenceAt is null ? "It has no evidence yet: record a dated attestation or document." : $"Its evidence dates from {m.EvidenceAt:yyyy-MM-dd}."), ct);
        }
        foreach (var p in policies)
        {
            p.LastAlertAt = now;
            await mail.SendStaffAsync(db, processor.Value.Dpo, Kind, p.ClientId, $"Client security policy not reviewed: {p.Title}",
                $"Client {p.ClientId} uploaded \"{p.Title}\" on {p.UploadedAt:yyyy-MM-dd}; its review was due on {p.ReviewDueAt:yyyy-MM-dd}.", ct);
        }
        await write.CommitAsync(ct);
        return measures.Count + policies.Count;
    }
}
