namespace Steward.Measures;

/// <summary>
/// The security-control catalogue (P-13): each measure of the register mapped to the points of Art. 32 it serves
/// (REQUIREMENTS B.6) and to the Part C anchors (ASVS 4.0.3 ids, OWASP API Top 10 2023) that test it, with its
/// evidence: the test that proves it, or a dated document or attestation still within the review period. Only the
/// mapping lives here; titles, owners and evidence come from the register.
/// </summary>
public static class ControlCatalogue
{
    public sealed record Control(string Key, string[] Art32, string[] PartC);

    /// <summary>The Art. 32 points of REQUIREMENTS B.6.</summary>
    public static readonly string[] Art32Points = ["32(1)(a)", "32(1)(b)", "32(1)(c)", "32(1)(d)", "32(2)", "32(4)", "5(1)(f), 25"];

    public static readonly Control[] Controls =
    [
        new("encryption-at-rest", ["32(1)(a)", "32(1)(b)"], ["C.5 V6.1.1", "C.5 V6.2.2", "C.5 V8.3.7"]),
        new("key-rotation", ["32(1)(a)", "32(1)(b)"], ["C.5 V1.6.3", "C.5 V6.2.4"]),
        new("crypto-shredding", ["32(1)(a)", "5(1)(f), 25"], ["C.5 crypto-shredding", "C.5 V8.3.8"]),
        new("restore-replay", ["32(1)(c)"], ["C.5 V8.1.5", "C.5 crypto-shredding"]),
        new("access-logging", ["32(1)(b)", "32(1)(d)"], ["C.4 V7.1.3", "C.4 V7.1.4", "C.4 V8.3.5"]),
        new("log-retention", ["32(1)(b)", "5(1)(f), 25"], ["C.4 V7.3.3", "C.5 V8.3.8"]),
        new("tamper-evident-log", ["32(1)(b)"], ["C.4 V7.3.3"]),
        new("password-storage-lockout", ["32(1)(b)"], ["C.1 V2.4.1", "C.1 V2.2.1", "API2:2023"]),
        new("staff-mfa", ["32(1)(b)"], ["C.1 V4.3.1", "C.1 V2.8.4", "API2:2023"]),
        new("tenant-isolation", ["32(1)(b)", "32(2)"], ["C.3 V4.2.1", "C.3 V4.1.2", "API1:2023"]),
        new("role-matrix", ["32(1)(b)", "32(4)"], ["C.3 V4.1.3", "C.3 V1.4.4", "API5:2023"]),
        new("dual-approval", ["32(4)", "32(2)"], ["C.3 V4.3.3"]),
        new("authorisation-review", ["32(1)(d)", "32(4)"], ["C.3 V4.1.3"]),
        new("confidentiality-before-access", ["32(4)"], ["C.3 V4.1.3"]),
        new("confidentiality-register", ["32(4)"], ["C.3 V4.1.3"]),
        new("internal-guidelines", ["32(4)", "32(1)(d)"], ["C.3 V4.1.3"]),
        new("export-alerts", ["32(1)(b)", "32(2)"], ["C.4 V8.3.5", "API6:2023"]),
        new("data-residency", ["32(1)(b)", "32(1)(c)"], ["C.5 V8.1.6"]),
        new("data-centre", ["32(1)(b)", "32(1)(c)"], ["C.5 V8.1.5"]),
        new("backups", ["32(1)(c)"], ["C.5 V8.1.5", "C.5 V8.1.6"]),
        new("encryption-in-transit", ["32(1)(a)", "32(1)(b)"], ["C.6 V9.1.1", "C.6 V14.4.5"]),
        new("firewalls-monitoring", ["32(1)(b)", "32(1)(d)"], ["C.4 V1.7.2", "API8:2023"]),
        new("infrastructure-as-code", ["32(1)(b)", "32(1)(c)"], ["API9:2023"]),
        new("network-separation", ["32(1)(b)"], ["C.6 V9.2.2", "C.3 V4.3.1"]),
        new("secrets-vault", ["32(1)(b)"], ["C.5 V6.4.1", "C.5 V6.4.2"]),
        new("ci-only-deployment", ["32(1)(b)", "32(4)"], ["API8:2023"]),
        new("restricted-admin-network", ["32(1)(b)"], ["C.3 V4.3.1"]),
        new("production-mfa", ["32(1)(b)"], ["C.1 V4.3.1"]),
        new("vpn-issuance", ["32(1)(b)"], ["C.6 V9.2.2"]),
        new("responsible-disclosure", ["32(1)(d)"], ["API8:2023"]),
        new("staff-instructions", ["32(4)"], ["C.3 V4.1.3"]),
        new("home-workplaces", ["32(1)(a)", "32(1)(b)"], ["C.6 V9.2.2"]),
        new("admin-network-allowlist", ["32(1)(b)"], ["C.3 V4.3.1"]),
        new("staff-access-review", ["32(1)(d)", "32(4)"], ["C.3 V4.1.3", "C.1 V4.3.1"]),
        new("secret-scan", ["32(1)(b)"], ["C.5 V6.4.1"]),
        new("anomaly-alerts", ["32(1)(b)", "32(1)(d)"], ["C.4 V8.3.5", "API4:2023"]),
    ];

    /// <param name="Evidence">"test: name", "document: …" or "attestation: …"; null when the control has none.</param>
    /// <param name="Stale">No test proves it and its dated evidence is missing or older than the review period: flagged for the DPO.</param>
    public sealed record Entry(string Key, string Title, string Category, string[] Art32, string[] PartC, string? ProvedBy, string? Evidence,
        DateTimeOffset? EvidenceAt, bool Stale);

    /// <summary>The catalogue over the register as it stands: a measure the register holds and the catalogue does not map is still listed, unmapped.</summary>
    public static List<Entry> Of(IEnumerable<MeasureRegister.View> register, DateTimeOffset now, int reviewIntervalDays)
    {
        var mapped = Controls.ToDictionary(c => c.Key, StringComparer.Ordinal);
        return register.Select(m =>
        {
            var control = mapped.GetValueOrDefault(m.Key);
            var dated = m.EvidenceKind is Measure.Document or Measure.Attestation && m.EvidenceAt > now.AddDays(-reviewIntervalDays);
            return new Entry(m.Key, m.Title, m.Category, control?.Art32 ?? [], control?.PartC ?? [], m.ProvedBy,
                m.EvidenceKind is null ? null : $"{m.EvidenceKind}: {m.Evidence}", m.EvidenceAt, m.ProvedBy is null && !dated);
        }).ToList();
    }
}
