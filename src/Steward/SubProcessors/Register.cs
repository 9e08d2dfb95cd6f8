using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.Notifications;

namespace Steward.SubProcessors;

/// <summary>The register (G-49, P-12): its public view, its seed, and the evidence the operator records.</summary>
public sealed class Register(StewardDb db, TransferGate gate, Connectors connectors, AuditLog audit, Notifier notifier, ControllerMail mail, IOptions<SubProcessorOptions> options,
    IOptions<AlertOptions> alerts, TimeProvider clock)
{
    public const string LocationChangedKind = "subprocessor-location-changed";
    /// <summary>To a client: a sub-processor its data went to no longer receives it, its yearly review having lapsed.</summary>
    public const string SuspendedKind = "subprocessor-suspended";
    /// <summary>To the DPO: the same lapse, with how many clients were told.</summary>
    public const string LapsedKind = "subprocessor-review-lapsed";

    public sealed record PublicEntry(Guid Id, string Name, string? Website, string Purpose, string DataCategories,
        IReadOnlyList<string> Countries, string TransferBasis, string Status, DateTimeOffset? EffectiveAt);

    public sealed record Evidence(string? DpaReference, bool? EquivalentTerms, DateTimeOffset? DueDiligenceAt, string? Certifications,
        DateTimeOffset? LastReviewedAt, bool? Confirmed, bool? DpfCertified, DateTimeOffset? SccsSignedAt, string? SccsModule,
        string? TransferAssessment, string? ContactEmail, string? Connector, JsonElement? ConnectorSpec);

    public sealed record AdminEntry(PublicEntry Entry, string? ContactEmail, string? DpaReference, bool EquivalentTerms,
        DateTimeOffset? DueDiligenceAt, string? Certifications, DateTimeOffset? LastReviewedAt, bool NeedsConfirmation,
        string? EvidenceProblem, string Connector);

    /// <summary>Active and announced sub-processors, as the public list and page show them.</summary>
    public async Task<List<PublicEntry>> PublicListAsync(CancellationToken ct)
    {
        var pending = await db.SubProcessorChanges.AsNoTracking().Where(c => c.Status == SubProcessorChange.Pending)
            .ToDictionaryAsync(c => c.SubProcessorId, c => c.EffectiveAt, ct);
        var list = await db.SubProcessors.AsNoTracking().Where(s => s.Status != SubProcessor.Retired).OrderBy(s => s.Name).ToListAsync(ct);
        return list.Select(s => ToPublic(s, pending.TryGetValue(s.Id, out var at) ? at : s.ActivatedAt)).ToList();
    }

    public async Task<List<AdminEntry>> AdminListAsync(CancellationToken ct)
    {
        var list = await db.SubProcessors.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        return list.Select(ToAdmin).ToList();
    }

    internal PublicEntry ToPublic(SubProcessor s, DateTimeOffset? effectiveAt) =>
        new(s.Id, s.Name, s.Website, s.Purpose, s.DataCategories, s.CountryList, TransferBasis(s), s.Status, effectiveAt);

    private AdminEntry ToAdmin(SubProcessor s) => new(ToPublic(s, s.ActivatedAt), s.ContactEmail, s.DpaReference, s.EquivalentTerms,
        s.DueDiligenceAt, s.Certifications, s.LastReviewedAt, s.NeedsConfirmation, gate.EvidenceProblem(s), s.Connector);

    /// <summary>The basis of its transfers, per country, in words (G-49: every entry has a location and a transfer basis).</summary>
    public string TransferBasis(SubProcessor s) => string.Join("; ", s.CountryList.Select(country => $"{country}: {CountryBasis(s, country)}"));

    private string CountryBasis(SubProcessor s, string country) =>
        TransferGate.Eea.Contains(country) ? "EEA, no transfer"
        : gate.AdequacyList.TryGetValue(country, out var a) && !a.DpfOnly ? $"adequacy decision of {a.Adopted:yyyy-MM-dd}"
        : country == "US" && s.DpfCertified ? "EU-US Data Privacy Framework" + (s.SccsSignedAt is null ? "" : ", SCCs as fallback")
        : s.SccsSignedAt is not null ? $"standard contractual clauses {s.SccsModule}"
        : "none recorded (no data flows)";

    /// <summary>
    /// The third-country transfers of the sub-processors that receive data (Art. 30(2)(c), G-26): each country outside
    /// the EEA with its safeguard, for the records of processing.
    /// </summary>
    public async Task<List<(string Recipient, string Country, string Safeguard)>> TransfersAsync(CancellationToken ct) =>
        (await db.SubProcessors.AsNoTracking().Where(s => s.Status == SubProcessor.Active).ToListAsync(ct))
        .Where(s => gate.EvidenceProblem(s) is null).OrderBy(s => s.Name, StringComparer.Ordinal)
        .SelectMany(s => s.CountryList.Where(c => !TransferGate.Eea.Contains(c)).Select(c => (s.Name, c, CountryBasis(s, c)))).ToList();

    /// <summary>One sub-processor agreement as a client may see it (G-15), with the direct contact it may use (G-16) and its supervision (G-20).</summary>
    public sealed record AgreementEntry(Guid Id, string Name, string? Website, string Purpose, string DataCategories, IReadOnlyList<string> Countries,
        string TransferBasis, string Status, bool ReceivesYourData, string? Agreement, bool EquivalentTerms, string? Certifications,
        DateTimeOffset? DueDiligenceAt, DateTimeOffset? LastReviewedAt, DateTimeOffset? NextReviewDue, string? SccsModule, DateTimeOffset? SccsSignedAt,
        bool DpfCertified, string? DirectContact, string? EvidenceProblem);

    /// <summary>
    /// The contract documentation a client may ask to see (G-15): for every sub-processor in the register, the agreement
    /// on file and what it holds (equivalent terms, certifications, transfer mechanism), its yearly review (G-20), and the
    /// address the client may use to reach it directly, e.g. if the processor is wound up (G-16).
    /// </summary>
    public async Task<List<AgreementEntry>> AgreementsAsync(Guid clientId, CancellationToken ct)
    {
        var list = await db.SubProcessors.AsNoTracking().Where(s => s.Status != SubProcessor.Retired).OrderBy(s => s.Name).ToListAsync(ct);
        var entries = new List<AgreementEntry>();
        foreach (var s in list)
            entries.Add(new AgreementEntry(s.Id, s.Name, s.Website, s.Purpose, s.DataCategories, s.CountryList, TransferBasis(s), s.Status,
                (await gate.CheckAsync(db, clientId, s, ct)).Allowed, s.DpaReference, s.EquivalentTerms, s.Certifications, s.DueDiligenceAt,
                s.LastReviewedAt, s.LastReviewedAt?.AddDays(options.Value.ReviewIntervalDays), s.SccsModule, s.SccsSignedAt, s.DpfCertified,
                s.ContactEmail, gate.EvidenceProblem(s)));
        return entries;
    }

    /// <summary>Evidence and facts the operator confirms (P-12, P-37, G-14, G-20). Every field is optional; what is sent is set.</summary>
    public async Task<Result<AdminEntry>> RecordEvidenceAsync(Guid id, Evidence e, CancellationToken ct)
    {
        var s = await db.SubProcessors.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return Errors.NotFound("sub-processor");
        var problems = new Problems();
        var now = clock.GetUtcNow();
        if (e.DpaReference is { Length: > 500 }) problems.Add("dpaReference", "At most 500 characters.");
        if (e.DueDiligenceAt > now) problems.Add("dueDiligenceAt", "Cannot be in the future.");
        if (e.LastReviewedAt > now) problems.Add("lastReviewedAt", "Cannot be in the future.");
        if (e.SccsModule is not null and not ("C2C" or "C2P" or "P2P" or "P2C")) problems.Add("sccsModule", "One of C2C, C2P, P2P, P2C (Decision (EU) 2021/914).");
        if (e.ContactEmail is not null && (e.ContactEmail.Length > 254 || !e.ContactEmail.Contains('@', StringComparison.Ordinal))) problems.Add("contactEmail", "Give a valid email address.");
        if (e.Connector is not null and not ("manual" or "webhook" or "http")) problems.Add("connector", "One of manual, webhook, http.");
        var connector = e.Connector ?? s.Connector;
        var spec = e.ConnectorSpec is { ValueKind: JsonValueKind.Object } json ? json.GetRawText() : s.ConnectorSpec;
        if (connector != "manual" && connectors.SpecProblem(connector, spec) is { } specProblem) problems.Add("connectorSpec", specProblem);
        if (problems.Any) return Errors.Invalid(problems);

        var basisBefore = s.Status == SubProcessor.Active ? TransferBasis(s) : null;
        if (e.DpaReference is not null) s.DpaReference = e.DpaReference.Trim();
        if (e.EquivalentTerms is { } equivalent) s.EquivalentTerms = equivalent;
        if (e.DueDiligenceAt is { } diligence) s.DueDiligenceAt = diligence;
        if (e.Certifications is not null) s.Certifications = e.Certifications.Trim();
        if (e.LastReviewedAt is { } reviewed) s.LastReviewedAt = reviewed;
        if (e.Confirmed is { } confirmed) s.NeedsConfirmation = !confirmed;
        if (e.DpfCertified is { } dpf) s.DpfCertified = dpf;
        if (e.SccsSignedAt is { } sccs) s.SccsSignedAt = sccs;
        if (e.SccsModule is not null) s.SccsModule = e.SccsModule;
        if (e.TransferAssessment is not null) s.TransferAssessment = e.TransferAssessment.Trim();
        if (e.ContactEmail is not null) s.ContactEmail = e.ContactEmail.Trim();
        s.Connector = connector;
        s.ConnectorSpec = spec;

        await using var write = await db.BeginWriteAsync(ct);
        // G-12: every client is told when the basis on which its data goes to an active sub-processor changes
        if (basisBefore is not null && TransferBasis(s) is var basis && basis != basisBefore)
            foreach (var clientId in await db.Clients.AsNoTracking().Where(c => c.Status == "active").Select(c => c.Id).ToListAsync(ct))
                await mail.SendAsync(db, clientId, LocationChangedKind, $"[Steward] Where your data lives has changed: {s.Name}",
                    $"""
                    The transfer basis of {s.Name} ({s.Countries}), which processes {s.DataCategories}, has changed.
                    Before: {basisBefore}
                    Now:    {basis}
                    Where your data lives: GET /v1/clients/{clientId}/data-locations
                    """, ct);
        await audit.RecordAsync(db, "RecordSubProcessorEvidence", "subprocessor", s.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return ToAdmin(s);
    }

    /// <summary>
    /// G-20: the yearly review of each active sub-processor. A month before its evidence expires (or at once, if it
    /// was never reviewed), the DPO is reminded, once per review cycle; recording the review is <see cref="RecordEvidenceAsync"/>.
    /// When the review lapses, the transfer gate stops the data (P-12): the DPO is alerted and every client whose data
    /// went to it until then is told (DPA communications), once per lapse (the reminder time, set after the expiry, marks it).
    /// </summary>
    public async Task<int> RemindReviewsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var interval = options.Value.ReviewIntervalDays;
        var active = await db.SubProcessors.Where(s => s.Status == SubProcessor.Active).ToListAsync(ct);
        var lapsed = active.Where(s => s.LastReviewedAt?.AddDays(interval) is { } expired && expired < now
                                       && (s.ReviewReminderAt is null || s.ReviewReminderAt <= expired)
                                       && gate.EvidenceProblem(s, expired) is null).ToList();
        foreach (var s in lapsed) await LapseAsync(s, s.LastReviewedAt!.Value.AddDays(interval), ct);
        var due = active.Except(lapsed).Where(s => (s.LastReviewedAt is null || s.LastReviewedAt.Value.AddDays(interval - 30) <= now)
                                    && (s.ReviewReminderAt is null || s.ReviewReminderAt <= s.LastReviewedAt)).ToList();
        // one transaction per reminder: an audit event each, committed with its own change
        foreach (var s in due)
        {
            await using var write = await db.BeginWriteAsync(ct);
            s.ReviewReminderAt = now;
            var expires = s.LastReviewedAt?.AddDays(interval);
            foreach (var to in alerts.Value.Recipients)
                await notifier.EnqueueAsync(db, new Notifier.Message("subprocessor-review-due", null, to, $"[Steward] Yearly review due: {s.Name}",
                    $"""
                    The yearly review of {s.Name} is due{(expires is null ? " (never reviewed)" : $": its evidence expires on {expires:yyyy-MM-dd}, after which it receives no data")}.
                    Check that it allows audits of its data security, its agreement, certifications and transfer basis, and record the review
                    (PUT /v1/admin/subprocessors/{s.Id}/evidence with lastReviewedAt).
                    """), ct);
            await audit.RecordAsync(db, "SubProcessorReviewDue", "subprocessor", s.Id.ToString(), ct);
            await write.CommitAsync(ct);
        }
        return due.Count + lapsed.Count;
    }

    private async Task LapseAsync(SubProcessor s, DateTimeOffset expired, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        s.ReviewReminderAt = clock.GetUtcNow();
        var told = 0;
        foreach (var clientId in await db.Clients.AsNoTracking().Where(c => c.Status == "active").Select(c => c.Id).ToListAsync(ct))
        {
            // told only if its data went there until the lapse
            if (!(await gate.CheckAsync(db, clientId, s, expired, ct)).Allowed) continue;
            told++;
            await mail.SendAsync(db, clientId, SuspendedKind, $"[Steward] {s.Name} no longer receives your data",
                $"""
                The yearly review of {s.Name} ({s.Countries}), which processes {s.DataCategories}, lapsed on {expired:yyyy-MM-dd}.
                Until it is reviewed again, {s.Name} receives none of your data: nothing new is sent to it.
                Where your data lives: GET /v1/clients/{clientId}/data-locations
                """, ct);
        }
        foreach (var to in alerts.Value.Recipients)
            await notifier.EnqueueAsync(db, new Notifier.Message(LapsedKind, null, to, $"[Steward] Review lapsed, data stopped: {s.Name}",
                $"""
                The yearly review of {s.Name} lapsed on {expired:yyyy-MM-dd}: it receives no data until the review is recorded
                (PUT /v1/admin/subprocessors/{s.Id}/evidence with lastReviewedAt). {told} client(s) whose data went to it were told.
                """), ct);
        await audit.RecordAsync(db, "SubProcessorReviewLapsed", "subprocessor", s.Id.ToString(), ct);
        await write.CommitAsync(ct);
    }

    private sealed record SeedEntry(string Name, string Website, string Purpose, string DataCategories, string Countries, bool Dpf, string Connector);

    /// <summary>
    /// A fresh deployment starts (at install, like the agreements; no audit event) from the GenieBelt list plus the backup host (G-49, P-19). Every seeded entry is
    /// marked as needing confirmation: until the operator confirms its facts and evidence, it receives no data.
    /// </summary>
    public async Task SeedAsync(CancellationToken ct)
    {
        if (await db.SubProcessors.AnyAsync(ct)) return;
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Steward.SubProcessors.Data.register.json")!;
        var seed = await JsonSerializer.DeserializeAsync<List<SeedEntry>>(stream, JsonSerializerOptions.Web, ct);
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        foreach (var e in seed!)
            db.SubProcessors.Add(new SubProcessor
            {
                Id = Guid.CreateVersion7(),
                Name = e.Name,
                Website = e.Website,
                Purpose = e.Purpose,
                DataCategories = e.DataCategories,
                Countries = e.Countries,
                DpfCertified = e.Dpf,
                Connector = e.Connector,
                Status = SubProcessor.Active,
                NeedsConfirmation = true,
                CreatedAt = now,
                ActivatedAt = now,
            });
        await write.CommitAsync(ct);
    }
}
