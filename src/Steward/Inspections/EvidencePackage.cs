using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Breaches;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.Instructions;
using Steward.Records;
using Steward.Retention;
using Steward.SubProcessors;

namespace Steward.Inspections;

/// <summary>
/// The evidence for an audit (P-45, G-19, P-31), assembled from live data for the audited period: the client's audit
/// events, access grants with their approvals, staff with access, the sub-processor register and its changes, security
/// measures, breach records, destruction reports, the records of processing, instruction flags and terms; as a zip with a
/// manifest of SHA-256 checksums. No contact's personal data is in it.
/// </summary>
public sealed class EvidencePackage(StewardDb db, RecordsOfProcessing records, BreachRegister breaches, Terms terms, Measures.MeasureRegister measures, AuditLog audit,
    StaffWithAccess staff, Register register, ReadDestructions destructions, IOptions<ProcessorOptions> processor, IOptions<Measures.MeasureOptions> measureOptions,
    TimeProvider clock)
{
    public sealed record Approval(Guid StaffId, DateTimeOffset At);
    public sealed record GrantEvidence(Guid Id, Guid StaffId, string StaffRole, Guid? ClientId, IReadOnlyList<string> Rights, string Purpose, string Status,
        Guid RequestedBy, DateTimeOffset RequestedAt, Approval? CeoApproval, Approval? DpoApproval, DateTimeOffset? ActiveFrom, DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt, Guid? RevokedBy);
    public sealed record ChangeEvidence(Guid Id, Guid SubProcessorId, string SubProcessor, Guid? ReplacesId, string Status, DateTimeOffset ProposedAt,
        DateTimeOffset EffectiveAt, DateTimeOffset? TookEffectAt, DateTimeOffset? NoticeSentToClientAt, string? ClientObjection, string? ObjectionOutcome);

    public sealed record ManifestFile(string Name, long Bytes, string Sha256);
    public sealed record Manifest(Guid InspectionId, Guid ClientId, DateTimeOffset PeriodFrom, DateTimeOffset PeriodTo, DateTimeOffset GeneratedAt, List<ManifestFile> Files);

    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<Result<byte[]>> HandleAsync(Guid clientId, Guid inspectionId, CancellationToken ct)
    {
        var inspection = await db.Set<Inspection>().IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(i => i.Id == inspectionId && i.ClientId == clientId, ct);
        if (inspection is null) return Errors.NotFound("inspection");
        var (from, to) = (inspection.PeriodFrom, inspection.PeriodTo);
        var o = processor.Value;

        var events = await db.AuditEvents.AsNoTracking().Where(e => e.ClientId == clientId && e.At >= from && e.At <= to).OrderBy(e => e.Seq)
            .Select(e => new { e.Seq, e.At, e.ActorType, e.ActorId, e.Action, e.ResourceType, e.ResourceId, e.Outcome, e.Status, Hash = Convert.ToHexStringLower(e.Hash) })
            .ToListAsync(ct);
        var clientBreaches = (await breaches.ForClientAsync(clientId, ct)).Where(b => b.DetectedAt <= to).ToList();
        var flags = await db.Set<InstructionFlag>().IgnoreQueryFilters().AsNoTracking().Where(f => f.ClientId == clientId).ToListAsync(ct);
        var files = new List<(string Name, object Content)>
        {
            ("inspection.json", inspection),
            ("audit-events.json", events),
            ("access-grants.json", await GrantsAsync(clientId, from, to, ct)),
            ("staff-with-access.json", new { asOf = clock.GetUtcNow(), staff = await staff.HandleAsync(clientId, ct) }),
            ("sub-processors.json", new { register = await register.AdminListAsync(ct), changes = await ChangesAsync(clientId, from, to, ct), configuredTransfers = o.Transfers }),
            ("security-measures.json", await measures.CurrentAsync(ct)),
            ("control-catalogue.json", Measures.ControlCatalogue.Of(await measures.CurrentAsync(ct), clock.GetUtcNow(), measureOptions.Value.ReviewIntervalDays)),
            ("breaches.json", clientBreaches),
            ("destruction-reports.json", (await destructions.ListAsync(true, clientId, ct)).Where(d => d.RequestedAt <= to && (d.CompletedAt ?? DateTimeOffset.MaxValue) >= from).ToList()),
            ("records-of-processing.json", await records.ProcessorAsync(clientId, ct)),
            ("instruction-flags.json", flags),
            ("dpa-terms.json", await terms.ForAsync(db, clientId, ct)),
        };

        var manifest = new Manifest(inspection.Id, clientId, from, to, clock.GetUtcNow(), []);
        using var zipped = new MemoryStream();
        using (var zip = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(content, content.GetType(), Indented);
                manifest.Files.Add(new ManifestFile(name, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
                await using var entry = await zip.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(ct);
                await entry.WriteAsync(bytes, ct);
            }
            await using var m = await zip.CreateEntry("manifest.json").OpenAsync(ct);
            await m.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(manifest, Indented), ct);
        }
        await using var write = await db.BeginWriteAsync(ct);
        await audit.RecordAsync(db, "EvidencePackage", "inspection", inspection.Id.ToString(), ct, clientId: clientId);
        await write.CommitAsync(ct);
        return zipped.ToArray();
    }

    /// <summary>The grants that reached the client's data during the period (its own or all clients'), or were asked for or decided in it.</summary>
    private async Task<List<GrantEvidence>> GrantsAsync(Guid clientId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await (from g in db.AccessGrants
                          join s in db.StaffMembers on g.StaffId equals s.Id
                          where (g.ClientId == clientId || g.ClientId == null) && g.RequestedAt <= to
                          orderby g.RequestedAt
                          select new { Grant = g, s.Role }).AsNoTracking().ToListAsync(ct);
        return rows.Where(r => r.Grant.RequestedAt >= from || (r.Grant.ActiveFrom is not null && (r.Grant.RevokedAt ?? r.Grant.ExpiresAt ?? DateTimeOffset.MaxValue) >= from))
            .Select(r => Evidence(r.Grant, r.Role, now)).ToList();
    }

    private static GrantEvidence Evidence(AccessGrant g, string role, DateTimeOffset now) =>
        new(g.Id, g.StaffId, role, g.ClientId, [.. g.RightList], g.Purpose, g.Status(now), g.RequestedBy, g.RequestedAt,
            g.CeoApprovedBy is { } ceo ? new Approval(ceo, g.CeoApprovedAt!.Value) : null,
            g.DpoApprovedBy is { } dpo ? new Approval(dpo, g.DpoApprovedAt!.Value) : null,
            g.ActiveFrom, g.ExpiresAt, g.RevokedAt, g.RevokedBy);

    /// <summary>Changes to the sub-processors proposed or taking effect in the period, with this client's notice and objection.</summary>
    private async Task<List<ChangeEvidence>> ChangesAsync(Guid clientId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var changes = await (from c in db.SubProcessorChanges
                             join s in db.SubProcessors on c.SubProcessorId equals s.Id
                             where c.ProposedAt <= to
                             orderby c.ProposedAt
                             select new { Change = c, s.Name }).AsNoTracking().ToListAsync(ct);
        changes = changes.Where(c => c.Change.ProposedAt >= from || (c.Change.TookEffectAt ?? c.Change.EffectiveAt) >= from).ToList();
        var ids = changes.Select(c => c.Change.Id).ToList();
        var notices = await db.ChangeNotices.IgnoreQueryFilters().AsNoTracking().Where(n => n.ClientId == clientId && ids.Contains(n.ChangeId))
            .ToDictionaryAsync(n => n.ChangeId, n => n.SentAt, ct);
        var objections = await db.Objections.IgnoreQueryFilters().AsNoTracking().Where(x => x.ClientId == clientId && ids.Contains(x.ChangeId))
            .ToDictionaryAsync(x => x.ChangeId, ct);
        return changes.Select(c => new ChangeEvidence(c.Change.Id, c.Change.SubProcessorId, c.Name, c.Change.ReplacesId, c.Change.Status, c.Change.ProposedAt,
            c.Change.EffectiveAt, c.Change.TookEffectAt, notices.TryGetValue(c.Change.Id, out var sent) ? sent : null,
            objections.GetValueOrDefault(c.Change.Id)?.Reason, objections.GetValueOrDefault(c.Change.Id)?.Outcome)).ToList();
    }
}
