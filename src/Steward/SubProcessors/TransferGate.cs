using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.SubProcessors;

public sealed class SubProcessorOptions
{
    /// <summary>`subprocessor.noticeDays`: a change takes effect at least this long after its notice reaches every client (G-13).</summary>
    public int NoticeDays { get; set; } = 30;
    /// <summary>`subprocessor.objectionDays`: a client may object this long after its notice reached it (G-13).</summary>
    public int ObjectionDays { get; set; } = 7;
    /// <summary>Evidence older than this (days since the last review) is no longer current (P-12, G-20).</summary>
    public int ReviewIntervalDays { get; set; } = 365;
    /// <summary>A vendor's erasure receipt is due this long after the erasure; then it escalates to the DPO (P-09).</summary>
    public int ErasureDueDays { get; set; } = 30;
    /// <summary>Timeout of one call to a vendor's erasure API.</summary>
    public int ConnectorTimeoutSeconds { get; set; } = 30;
    /// <summary>Base64 key that signs generic erasure webhooks (HMAC-SHA256).</summary>
    public string? WebhookSigningKey { get; set; }
    /// <summary>Secrets that HTTP connector specs name as {secret:NAME} (API tokens), from the environment.</summary>
    public Dictionary<string, string> ConnectorSecrets { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// `Steward:SubProcessors:AllowedHosts`: the only hosts a connector or webhook may call ("api.example.com", or
    /// "*.example.com" for its subdomains), besides the shipped presets' documented API hosts (SSRF guard).
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
    /// <summary>Public base URL of Steward, for confirmation links in manual erasure tasks.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";
    /// <summary>A file replacing the shipped adequacy list (JSON: country, name, adopted, scope, dpfOnly).</summary>
    public string? AdequacyFile { get; set; }
}

public sealed class ResidencyOptions
{
    public string DatabaseProvider { get; set; } = "self-hosted";
    public string DatabaseCountry { get; set; } = "DE";
    public string DatabaseRegion { get; set; } = "eu-central";
    public string BackupProvider { get; set; } = "Hetzner Online GmbH";
    /// <summary>`residency.backupRegion` (P-19): must be in the EEA; anything else stops the service at start.</summary>
    public string BackupCountry { get; set; } = "DE";
    public string BackupRegion { get; set; } = "Falkenstein / Nuremberg";
}

/// <summary>
/// The one check of every flow of personal data to a sub-processor (G-17, P-35, G-03, B.8): the EEA passes; a
/// country with an adequacy decision passes; the US only for a DPF-certified sub-processor and a client
/// instruction naming the DPF; anything else only with SCCs plus a transfer assessment and a client instruction.
/// Before any of that: the sub-processor must be active, its evidence current, and the client not objecting.
/// </summary>
public sealed class TransferGate(IOptions<SubProcessorOptions> options, TimeProvider clock)
{
    public static readonly IReadOnlySet<string> Eea = new HashSet<string>(StringComparer.Ordinal)
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
        "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    };

    public sealed record Adequacy(string Country, string Name, DateOnly Adopted, string Scope, bool DpfOnly = false);

    public sealed record CountryDecision(string Country, bool Allowed, string Basis);

    public sealed record Decision(bool Allowed, string Reason, IReadOnlyList<CountryDecision> Countries);

    private readonly Lazy<IReadOnlyDictionary<string, Adequacy>> _adequacy = new(() => LoadAdequacy(options.Value.AdequacyFile));

    public IReadOnlyDictionary<string, Adequacy> AdequacyList => _adequacy.Value;

    private static Dictionary<string, Adequacy> LoadAdequacy(string? file)
    {
        using var stream = file is null
            ? Assembly.GetExecutingAssembly().GetManifestResourceStream("Steward.SubProcessors.Data.adequacy.json")!
            : File.OpenRead(file);
        var list = JsonSerializer.Deserialize<List<Adequacy>>(stream, JsonSerializerOptions.Web)!;
        return list.ToDictionary(a => a.Country, StringComparer.Ordinal);
    }

    /// <summary>Whether a country can be a sub-processor's location at all (P-35): EEA, adequate, DPF-certified US, or SCCs with an assessment.</summary>
    public string? LocationProblem(SubProcessor s)
    {
        foreach (var country in s.CountryList)
        {
            if (Eea.Contains(country)) continue;
            if (_adequacy.Value.TryGetValue(country, out var a) && (!a.DpfOnly || s.DpfCertified)) continue;
            if (s.SccsSignedAt is not null && !string.IsNullOrWhiteSpace(s.TransferAssessment)) continue;
            return country == "US"
                ? "US: the sub-processor is not certified under the EU-US Data Privacy Framework and no standard contractual clauses with a transfer assessment are recorded."
                : $"{country}: not in the EEA, no adequacy decision, and no standard contractual clauses with a transfer assessment are recorded.";
        }
        return null;
    }

    /// <summary>Why a sub-processor's evidence is not current (P-12, G-14, P-37), or null when it is.</summary>
    public string? EvidenceProblem(SubProcessor s) => EvidenceProblem(s, clock.GetUtcNow());

    /// <summary>Why the evidence was not current at a given time (a lapse: at the moment the review expired).</summary>
    public string? EvidenceProblem(SubProcessor s, DateTimeOffset at)
    {
        if (s.NeedsConfirmation) return "its seeded facts are not yet confirmed by the operator";
        if (string.IsNullOrWhiteSpace(s.DpaReference)) return "no sub-processor agreement (DPA) on file";
        if (!s.EquivalentTerms) return "the agreement is not marked as carrying terms equivalent to the DPA";
        if (s.DueDiligenceAt is null) return "no due-diligence record";
        if (s.LastReviewedAt is null || s.LastReviewedAt.Value.AddDays(options.Value.ReviewIntervalDays) < at)
            return "its last review is missing or older than the review interval";
        return null;
    }

    public Task<Decision> CheckAsync(StewardDb db, Guid clientId, SubProcessor s, CancellationToken ct) => CheckAsync(db, clientId, s, clock.GetUtcNow(), ct);

    /// <summary>
    /// Whether a sub-processor may hold this client's data: it receives it now, or did until its yearly review lapsed.
    /// A lapse stops new data, not what the vendor already has, so erasure and access still reach it (Art 19, P-09).
    /// </summary>
    public async Task<bool> MayHoldAsync(StewardDb db, Guid clientId, SubProcessor s, CancellationToken ct)
    {
        // status and evidence need no query: a sub-processor failing them now and at its lapse costs no round trip
        var now = clock.GetUtcNow();
        var lapse = s.LastReviewedAt?.AddDays(options.Value.ReviewIntervalDays);
        if (s.Status != SubProcessor.Active || (EvidenceProblem(s, now) is not null && !(lapse < now && EvidenceProblem(s, lapse.Value) is null)))
            return false;
        if ((await CheckAsync(db, clientId, s, now, ct)).Allowed) return true;
        return lapse is { } lapsed && lapsed < now && (await CheckAsync(db, clientId, s, lapsed, ct)).Allowed;
    }

    /// <summary>The decision as of a time (for the evidence): whether a client's data went to a sub-processor until its review lapsed.</summary>
    public async Task<Decision> CheckAsync(StewardDb db, Guid clientId, SubProcessor s, DateTimeOffset at, CancellationToken ct)
    {
        var instructions = await db.TransferInstructions.IgnoreQueryFilters().Where(i => i.ClientId == clientId)
            .Select(i => new { i.Country, i.Mechanism }).ToListAsync(ct);
        var countries = s.CountryList.Select(country =>
        {
            if (Eea.Contains(country)) return new CountryDecision(country, true, "EEA");
            var sccs = s.SccsSignedAt is not null && !string.IsNullOrWhiteSpace(s.TransferAssessment)
                && instructions.Any(i => i.Country == country && i.Mechanism == "sccs");
            if (_adequacy.Value.TryGetValue(country, out var a))
            {
                if (!a.DpfOnly) return new CountryDecision(country, true, $"adequacy decision of {a.Adopted:yyyy-MM-dd}");
                if (s.DpfCertified && instructions.Any(i => i.Country == country && i.Mechanism == "dpf"))
                    return new CountryDecision(country, true, "EU-US Data Privacy Framework (certified; client instruction recorded)");
            }
            if (sccs) return new CountryDecision(country, true, $"standard contractual clauses {s.SccsModule} with a transfer assessment; client instruction recorded");
            return new CountryDecision(country, false, country == "US"
                ? "blocked: the US needs a DPF-certified sub-processor and a client instruction naming the DPF, or SCCs with an assessment and a client instruction"
                : "blocked: no adequacy decision, and no SCCs with a transfer assessment and a client instruction");
        }).ToList();

        if (s.Status != SubProcessor.Active) return new(false, $"not active ({s.Status})", countries);
        if (EvidenceProblem(s, at) is { } evidence) return new(false, "no current evidence: " + evidence, countries);
        var objecting = await (from c in db.SubProcessorChanges
                               join o in db.Objections.IgnoreQueryFilters() on c.Id equals o.ChangeId
                               where c.SubProcessorId == s.Id && o.ClientId == clientId
                                     && (o.Status == Objection.Open || o.Outcome == "alternative" || o.Outcome == "terminated")
                               select o.Id).AnyAsync(ct);
        if (objecting) return new(false, "the client objected to this sub-processor", countries);
        var blocked = countries.FirstOrDefault(c => !c.Allowed);
        return blocked is null ? new(true, "allowed", countries) : new(false, $"{blocked.Country} {blocked.Basis}", countries);
    }
}
