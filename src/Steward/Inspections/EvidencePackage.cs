using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Breaches;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.Instructions;
using Steward.Records;

namespace Steward.Inspections;

/// <summary>
/// The evidence for an audit (P-45, G-19, P-31), assembled from live data for the audited period: the client's audit
/// events, breach records, the records of processing, security measures, sub-processors and transfers, staff with
/// access, instruction flags and terms; as a zip with a manifest of SHA-256 checksums. No contact's personal data is in it.
/// </summary>
public sealed class EvidencePackage(StewardDb db, RecordsOfProcessing records, BreachRegister breaches, Terms terms, Measures.MeasureRegister measures, AuditLog audit,
    IOptions<ProcessorOptions> processor, TimeProvider clock)
{
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
            ("breaches.json", clientBreaches),
            ("records-of-processing.json", await records.ProcessorAsync(clientId, ct)),
            ("security-measures.json", await measures.CurrentAsync(ct)),
            ("sub-processors-and-transfers.json", new { note = "From the configured transfers until a sub-processor register exists.", transfers = o.Transfers }),
            ("staff-with-access.json", new { note = "From configuration until staff roles and access grants exist.", staff = o.StaffWithAccess }),
            ("access-grants.json", new { note = "No access-grant register exists in this version: none to report.", grants = Array.Empty<object>() }),
            ("destruction-reports.json", new { note = "No destruction report exists in this version.", reports = Array.Empty<object>() }),
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
}
