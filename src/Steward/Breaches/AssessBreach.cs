using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.Instructions;

namespace Steward.Breaches;

/// <summary>
/// Records the facts, effects and remedies of a breach (Art. 33(3), 33(5)) and its risk assessment. The encrypted-data
/// exemption needs evidence: the algorithm, and a key-management record showing that the key was not exposed
/// (Art. 34(3)(a), A.5). A high-risk outcome without that exemption creates the data-subject communication task (Art. 34(1)).
/// </summary>
public sealed class AssessBreach(StewardDb db, AuditLog audit, AuditContext actor, Terms terms, TimeProvider clock)
{
    public sealed record Request(string? Nature, string? SubjectCategories, string? ApproxSubjects, string? RecordCategories, string? ApproxRecords,
        string? Consequences, string? MeasuresTaken, string? MeasuresProposed, string? Risk, string? RiskReasoning,
        string? Exemption, string? ExemptionAlgorithm, string? ExemptionKeyRecord, bool? KeyNotExposed);

    public async Task<Result<Guid?>> HandleAsync(Guid breachId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        foreach (var (name, value) in Texts(request))
            if (value is { Length: > 4000 }) problems.Add(name, "At most 4000 characters.");
        if (request.Risk is not (null or "none" or "risk" or "high")) problems.Add("risk", "\"none\", \"risk\" or \"high\".");
        if (request.Risk is not null && string.IsNullOrWhiteSpace(request.RiskReasoning)) problems.Add("riskReasoning", "A risk outcome needs its reasoning (Art. 33(5)).");
        if (request.Exemption is not (null or "none" or "encrypted")) problems.Add("exemption", "\"none\" or \"encrypted\".");
        if (request.Exemption == "encrypted")
        {
            if (string.IsNullOrWhiteSpace(request.ExemptionAlgorithm)) problems.Add("exemptionAlgorithm", "Name the encryption that kept the data unintelligible.");
            if (string.IsNullOrWhiteSpace(request.ExemptionKeyRecord)) problems.Add("exemptionKeyRecord", "Reference the key-management record showing the key was not exposed.");
            if (request.KeyNotExposed != true) problems.Add("keyNotExposed", "The exemption holds only if the key was not exposed.");
        }
        if (problems.Any) return Errors.Invalid(problems);

        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var breach = await db.Set<Breach>().SingleOrDefaultAsync(b => b.Id == breachId, ct);
        if (breach is null) return Errors.NotFound("breach");
        static string? T(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        breach.Nature = T(request.Nature) ?? breach.Nature;
        breach.SubjectCategories = T(request.SubjectCategories) ?? breach.SubjectCategories;
        breach.ApproxSubjects = T(request.ApproxSubjects) ?? breach.ApproxSubjects;
        breach.RecordCategories = T(request.RecordCategories) ?? breach.RecordCategories;
        breach.ApproxRecords = T(request.ApproxRecords) ?? breach.ApproxRecords;
        breach.Consequences = T(request.Consequences) ?? breach.Consequences;
        breach.MeasuresTaken = T(request.MeasuresTaken) ?? breach.MeasuresTaken;
        breach.MeasuresProposed = T(request.MeasuresProposed) ?? breach.MeasuresProposed;
        if (request.Risk is not null) { breach.Risk = request.Risk; breach.RiskReasoning = request.RiskReasoning!.Trim(); }
        if (request.Exemption is not null)
        {
            breach.Exemption = request.Exemption;
            breach.ExemptionAlgorithm = request.Exemption == "encrypted" ? request.ExemptionAlgorithm!.Trim() : null;
            breach.ExemptionKeyRecord = request.Exemption == "encrypted" ? request.ExemptionKeyRecord!.Trim() : null;
        }

        Guid? task = null;
        if (breach.Risk == "high" && breach.Exemption == "none"
            && !await db.Set<Duty>().AnyAsync(d => d.BreachId == breach.Id && d.Kind == Duty.DataSubjectCommunication, ct))
        {
            var duty = new Duty
            {
                Id = Guid.CreateVersion7(),
                Kind = Duty.DataSubjectCommunication,
                BreachId = breach.Id,
                Owner = "dpo",
                CreatedAt = now,
                Title = $"High-risk breach {breach.Id}: have the data subjects told without undue delay (Art. 34), with the affected clients",
                DueAt = now.AddHours(terms.Breach.ProcessorNotifyHours),
            };
            db.Add(duty);
            task = duty.Id;
        }
        db.Add(RecordBreach.Step(breach.Id, "assessed", now, actor, request.Risk is null ? "facts updated" : $"risk: {request.Risk}; exemption: {breach.Exemption}"));
        await audit.RecordAsync(db, "AssessBreach", "breach", breach.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return task;
    }

    private static IEnumerable<(string, string?)> Texts(Request r) =>
    [
        ("nature", r.Nature), ("subjectCategories", r.SubjectCategories), ("approxSubjects", r.ApproxSubjects), ("recordCategories", r.RecordCategories),
        ("approxRecords", r.ApproxRecords), ("consequences", r.Consequences), ("measuresTaken", r.MeasuresTaken), ("measuresProposed", r.MeasuresProposed),
        ("riskReasoning", r.RiskReasoning), ("exemptionAlgorithm", r.ExemptionAlgorithm), ("exemptionKeyRecord", r.ExemptionKeyRecord),
    ];
}
