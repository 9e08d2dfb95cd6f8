using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;

namespace Steward.Instructions;

/// <summary>A client registers an extra purpose with its documented instruction (P-28).</summary>
public sealed class RegisterPurpose(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record Request(string? Code, string? Description, string? Instruction);

    public async Task<Result<PurposeGate.Allowed>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        var code = request.Code?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(code) || code.Length > 60 || !code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            problems.Add("code", "Give a code of letters, digits and dashes (at most 60).");
        else if (Purposes.Find(code) is not null)
            problems.Add("code", "This is a purpose of the DPA itself; register only purposes of your own.");
        if (string.IsNullOrWhiteSpace(request.Description) || request.Description.Length > 500) problems.Add("description", "Describe the purpose (at most 500 characters).");
        if (string.IsNullOrWhiteSpace(request.Instruction) || request.Instruction.Length > 4000) problems.Add("instruction", "Give the documented instruction (at most 4000 characters).");
        if (problems.Any) return Errors.Invalid(problems);
        if (await db.Set<ClientPurpose>().AnyAsync(p => p.Code == code, ct)) return Errors.Conflict("This purpose is already registered.");

        var purpose = new ClientPurpose
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Code = code!,
            Description = request.Description!.Trim(),
            Instruction = request.Instruction!.Trim(),
            RegisteredAt = clock.GetUtcNow(),
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.Add(purpose);
        await audit.RecordAsync(db, "RegisterPurpose", "purpose", purpose.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return new PurposeGate.Allowed(purpose.Code, purpose.Description, "client");
    }
}

/// <summary>The processor records a client's DPA terms where the seeds differ (A.3).</summary>
public sealed class SetTerms(StewardDb db, AuditLog audit, TimeProvider clock)
{
    /// <param name="Plan">A seed's retention terms (Retention.RetentionPlans: "Personizely", "GenieBelt") for the retention terms left null.</param>
    public sealed record Request(int? BreachNotifyHours, bool? NotifyThreatened, bool? ExternalCommsNeedApproval, bool? OwnStatisticsAllowed, int? AuditIntervalMonths,
        string? Plan = null, int? PostTerminationDays = null, int? RestoreDays = null, int? ExportFreeCount = null);

    public async Task<Result<DpaTerms>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.BreachNotifyHours is < 1 or > 72) problems.Add("breachNotifyHours", "Between 1 and 72 hours (Art. 33 ceiling).");
        if (request.AuditIntervalMonths is < 0 or > 60) problems.Add("auditIntervalMonths", "Between 0 (no limit) and 60 months.");
        var plan = Retention.RetentionPlans.Find(request.Plan);
        if (request.Plan is not null && plan is null) problems.Add("plan", "Personizely or GenieBelt.");
        if (request.PostTerminationDays is < 0 or > 3650) problems.Add("postTerminationDays", "Between 0 and 3650 days.");
        if (request.RestoreDays is < 0 or > 3650) problems.Add("restoreDays", "Between 0 (delete means erase) and 3650 days.");
        if (request.ExportFreeCount is < 0) problems.Add("exportFreeCount", "0 or more.");
        if (problems.Any) return Errors.Invalid(problems);
        if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Errors.NotFound("client");

        await using var write = await db.BeginWriteAsync(ct);
        var terms = await db.Set<DpaTerms>().IgnoreQueryFilters().SingleOrDefaultAsync(t => t.ClientId == clientId, ct);
        if (terms is null) db.Add(terms = new DpaTerms { ClientId = clientId });
        terms.BreachNotifyHours = request.BreachNotifyHours;
        terms.NotifyThreatened = request.NotifyThreatened;
        terms.ExternalCommsNeedApproval = request.ExternalCommsNeedApproval;
        terms.OwnStatisticsAllowed = request.OwnStatisticsAllowed;
        terms.AuditIntervalMonths = request.AuditIntervalMonths;
        terms.PostTerminationDays = request.PostTerminationDays ?? plan?.PostTerminationDays;
        terms.RestoreDays = request.RestoreDays ?? plan?.RestoreDays;
        terms.ExportFreeCount = request.ExportFreeCount ?? plan?.ExportFreeCount;
        terms.UpdatedAt = clock.GetUtcNow();
        await audit.RecordAsync(db, "SetDpaTerms", "client", clientId.ToString(), ct, clientId: clientId);
        await write.CommitAsync(ct);
        return terms;
    }
}

/// <summary>Staff flag an instruction that appears unlawful (P-33, G-05): recorded, the client told without delay, the purpose held.</summary>
public sealed class FlagInstruction(StewardDb db, AuditLog audit, AuditContext actor, ControllerMail mail, TimeProvider clock)
{
    public sealed record Request(string? Instruction, string? PurposeCode, string? Reason);
    public sealed record Resolve(string? Resolution);

    public async Task<Result<InstructionFlag>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Instruction) || request.Instruction.Length > 4000) problems.Add("instruction", "Quote the instruction (at most 4000 characters).");
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 4000) problems.Add("reason", "Say why it appears to break the law (at most 4000 characters).");
        if (request.PurposeCode is { Length: > 60 }) problems.Add("purposeCode", "At most 60 characters.");
        if (problems.Any) return Errors.Invalid(problems);
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == clientId, ct);
        if (client is null) return Errors.NotFound("client");

        var flag = new InstructionFlag
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Instruction = request.Instruction!.Trim(),
            PurposeCode = request.PurposeCode?.Trim(),
            Reason = request.Reason!.Trim(),
            FlaggedBy = actor.ActorId ?? actor.ActorType,
            FlaggedAt = clock.GetUtcNow(),
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.Add(flag);
        await mail.SendAsync(db, clientId, "instruction-flag", "[Steward] An instruction of yours appears to infringe data protection law",
            $"""
            Dear {client.Name},

            Under Art. 28(3) GDPR we must tell you immediately when an instruction appears to infringe the law.

            Instruction: {flag.Instruction}
            Purpose:     {flag.PurposeCode ?? "(not tied to one purpose)"}
            Why:         {flag.Reason}

            We hold this instruction until it is resolved with you. Reference: {flag.Id}
            """, ct);
        await audit.RecordAsync(db, "FlagInstruction", "instruction-flag", flag.Id.ToString(), ct, clientId: clientId, status: 201);
        await write.CommitAsync(ct);
        return flag;
    }

    public async Task<Result<InstructionFlag>> ResolveAsync(Guid clientId, Guid flagId, Resolve request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Resolution) || request.Resolution.Length > 4000)
            return Errors.Invalid("resolution", "Record how it was resolved (at most 4000 characters).");
        await using var write = await db.BeginWriteAsync(ct);
        var flag = await db.Set<InstructionFlag>().IgnoreQueryFilters().SingleOrDefaultAsync(f => f.Id == flagId && f.ClientId == clientId, ct);
        if (flag is null) return Errors.NotFound("instruction flag");
        if (flag.ResolvedAt is not null) return Errors.Conflict("The flag is already resolved.");
        flag.ResolvedAt = clock.GetUtcNow();
        flag.Resolution = request.Resolution.Trim();
        await audit.RecordAsync(db, "ResolveInstructionFlag", "instruction-flag", flag.Id.ToString(), ct, clientId: clientId);
        await write.CommitAsync(ct);
        return flag;
    }
}

/// <summary>
/// The processor's own service-quality statistics (P-29): work tagged with its purpose, which refuses to run for a
/// client whose instructions do not allow it (G-04: GenieBelt's do not).
/// </summary>
public sealed class ServiceStatistics(StewardDb db, PurposeGate gate, AuditLog audit)
{
    /// <summary>Aggregated figures: no person in them, yet still bound to the purpose they were computed for (P-43).</summary>
    public sealed record Figures(Guid ClientId, int Contacts, int Widgets, int ConsentEvents) : IDerivedDataset
    {
        public string SourcePurpose => Purposes.ServiceStatistics;
    }

    public async Task<Result<Figures>> HandleAsync(Guid clientId, CancellationToken ct)
    {
        if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Errors.NotFound("client");
        if (await gate.CheckAsync(db, clientId, Purposes.ServiceStatistics, ct) is { } refused)
        {
            await using var refusal = await db.BeginWriteAsync(ct);
            await audit.RecordAsync(db, "ServiceStatistics", "client", clientId.ToString(), ct, clientId: clientId, outcome: "refused", status: 403);
            await refusal.CommitAsync(ct);
            return refused;
        }
        var figures = new Figures(clientId,
            await db.Contacts.IgnoreQueryFilters().CountAsync(c => c.ClientId == clientId, ct),
            await db.Widgets.IgnoreQueryFilters().CountAsync(w => w.ClientId == clientId, ct),
            await db.ConsentEvents.IgnoreQueryFilters().CountAsync(e => e.ClientId == clientId, ct));
        await using var write = await db.BeginWriteAsync(ct);
        await audit.RecordAsync(db, "ServiceStatistics", "client", clientId.ToString(), ct, clientId: clientId);
        await write.CommitAsync(ct);
        return figures;
    }
}
