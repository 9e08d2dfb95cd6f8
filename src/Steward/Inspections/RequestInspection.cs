using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;

namespace Steward.Inspections;

/// <summary>A client asks for an audit (P-45, G-19): a second routine one inside its terms' interval is refused unless an allegation is recorded.</summary>
public sealed class RequestInspection(StewardDb db, AuditLog audit, Terms terms, TimeProvider clock)
{
    public sealed record Request(string? Kind, string? AuditorFirm, string? NdaReference, string? Allegation, DateTimeOffset? From, DateTimeOffset? To);

    public async Task<Result<Inspection>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        if (request.Kind is not ("routine" or "allegation")) problems.Add("kind", "\"routine\" or \"allegation\".");
        if (string.IsNullOrWhiteSpace(request.AuditorFirm) || request.AuditorFirm.Length > 200) problems.Add("auditorFirm", "Name the auditing firm (at most 200 characters).");
        if (string.IsNullOrWhiteSpace(request.NdaReference) || request.NdaReference.Length > 200) problems.Add("ndaReference", "The auditor must be bound by confidentiality: reference the NDA.");
        if (request.Kind == "allegation" && (string.IsNullOrWhiteSpace(request.Allegation) || request.Allegation.Length > 4000))
            problems.Add("allegation", "Substantiate the allegation of misuse (at most 4000 characters).");
        if (request.From is null || request.To is null || request.From > request.To || request.To > now) problems.Add("from", "Give the audited period (from ≤ to ≤ now).");
        if (problems.Any) return Errors.Invalid(problems);

        var months = (await terms.ForAsync(db, clientId, ct)).AuditIntervalMonths;
        if (request.Kind == "routine" && months > 0)
        {
            var since = now.AddMonths(-months);
            if (await db.Set<Inspection>().AnyAsync(i => i.Kind == "routine" && i.RequestedAt > since, ct))
                return Errors.Conflict($"Your terms allow one routine audit every {months} months; an audit on a substantiated allegation is always possible.");
        }
        var inspection = new Inspection
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Kind = request.Kind!,
            AuditorFirm = request.AuditorFirm!.Trim(),
            NdaReference = request.NdaReference!.Trim(),
            Allegation = request.Allegation?.Trim(),
            PeriodFrom = request.From!.Value,
            PeriodTo = request.To!.Value,
            RequestedAt = now,
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.Add(inspection);
        await audit.RecordAsync(db, "RequestInspection", "inspection", inspection.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return inspection;
    }
}
