using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Measures;

/// <summary>
/// The register of technical and organisational measures (G-07, G-27, P-13): seeded from the seeds' security
/// sections on first start, then kept by the compliance desk. It is the one source of the measures in the records
/// of processing, the measures report, the DPIA package and the evidence package.
/// </summary>
public sealed class MeasureRegister(StewardDb db, IOptions<MeasureOptions> options, TimeProvider clock)
{
    public sealed record Seed(string Key, string Title, string Description, string Category, string Source, string Owner, string? ProvedBy = null);

    public sealed record View(string Key, int Version, string Title, string Description, string Category, string Source, string Owner,
        string? ProvedBy, string? EvidenceKind, string? Evidence, DateTimeOffset? EvidenceAt, string? EvidenceBy, DateTimeOffset ReviewDueAt,
        bool Overdue, DateTimeOffset ChangedAt, string ChangedBy, string Rationale)
    {
        public static View Of(Measure m, DateTimeOffset now) => new(m.Key, m.Version, m.Title, m.Description, m.Category, m.Source, m.Owner,
            m.ProvedBy, m.EvidenceKind, m.Evidence, m.EvidenceAt, m.EvidenceBy, m.ReviewDueAt, m.IsOverdue(now), m.ChangedAt, m.ChangedBy, m.Rationale);
    }

    /// <summary>
    /// GenieBelt §4.1-4.4 and Personizely's "Security measures". What Steward enforces names the test that proves
    /// it; what people and infrastructure do is organisational: it waits for a dated attestation, never assumed.
    /// </summary>
    public static readonly Seed[] Seeds =
    [
        new("encryption-at-rest", "Encryption at rest", "Personal data are sealed with AES-256-GCM under a key per data subject, wrapped by a key-encryption key kept apart from the data.",
            Measure.Technical, "GenieBelt §4.2 application level; P-23", "system-administration", "A_sealed_value_opens_only_for_its_client_contact_and_field"),
        new("key-rotation", "Key rotation", "The key-encryption key is rotated online; every data key is re-wrapped and the old key destroyed.",
            Measure.Technical, "P-23; C.5", "system-administration", "Keys_rotate_rewraps_every_key_online_and_destroys_the_old_kek"),
        new("crypto-shredding", "Erasure by crypto-shredding", "Erasure destroys the subject's key, deletes every row and appends the forget ledger, so backups cannot bring the data back readable.",
            Measure.Technical, "P-09, P-26", "dpo", "P09_P26_erasure_destroys_the_key_deletes_every_row_and_appends_the_ledger"),
        new("restore-replay", "Restores replay erasures", "After a restore the forget ledger is replayed, removing subjects erased since the backup.",
            Measure.Technical, "GenieBelt §4.2 protection against loss of data; P-26", "system-administration", "P26_replaying_the_ledger_removes_a_contact_that_a_restore_brought_back"),
        new("access-logging", "Access logging", "Every access and attempted access is logged with IP address, time, user and type of use, refused ones included.",
            Measure.Technical, "GenieBelt §4.4 logging; G-47", "dpo", "G47_every_request_refused_ones_included_is_an_audit_event_with_ip_and_no_personal_value"),
        new("log-retention", "Log retention six months", "Access log entries older than six months are deleted; the kept chain still verifies.",
            Measure.Technical, "GenieBelt §4.4 logging; G-47", "dpo", "G47_access_events_older_than_six_months_are_removed_and_the_kept_chain_still_verifies"),
        new("tamper-evident-log", "Tamper-evident audit log", "The audit log is hash-chained; a changed, deleted or swapped event is detected.",
            Measure.Technical, "P-22; C.4", "dpo", "G47_audit_verify_detects_a_changed_a_deleted_and_a_swapped_event"),
        new("password-storage-lockout", "Password hashing and brute-force lockout", "Passwords are kept only as salted slow hashes; repeated failed sign-ins lock the account for a growing delay.",
            Measure.Technical, "GenieBelt §4.2 application level; G-30", "system-administration", "G30_five_failed_sign_ins_lock_the_account_for_a_growing_delay_then_release_it"),
        new("staff-mfa", "Two-factor authentication for staff", "Every staff account signs in with a TOTP second factor; a code is accepted once and within one time step.",
            Measure.Technical, "Personizely server-side level; G-35; P-24", "system-administration", "ASVS_V2_8_a_totp_code_is_accepted_once_and_within_one_time_step_only"),
        new("tenant-isolation", "Tenant isolation", "A client reaches no other client's data on any route: authorization and a query filter on every client-owned row.",
            Measure.Technical, "P-02", "system-administration", "P02_API1_no_route_lets_a_caller_reach_another_clients_objects"),
        new("role-matrix", "Access control by role", "Staff reach data only through the published role matrix, enforced on every protected route.",
            Measure.Technical, "GenieBelt §4.3; Personizely web-interface level; P-14", "dpo", "P14_every_cell_of_the_role_matrix_holds_on_every_protected_route"),
        new("dual-approval", "Access authorised by CEO and DPO", "An access grant takes effect only once a CEO and a DPO, two different people, approve it.",
            Measure.Organisational, "P-16", "ceo", "P16_a_grant_takes_effect_only_once_a_ceo_and_a_dpo_two_different_people_approve_it"),
        new("authorisation-review", "Authorisations reviewed", "Grants are kept to a minimum and reviewed on a schedule; a grant due for review is reminded to the CEO and DPO.",
            Measure.Organisational, "GenieBelt §4.3; G-40", "dpo", "P16_G40_a_grant_due_for_review_is_reminded_to_the_ceo_and_the_dpo_once_and_keeping_it_schedules_the_next"),
        new("confidentiality-before-access", "Confidentiality before access", "No access grant for a person without recorded training, confidentiality undertaking and DPA duties.",
            Measure.Organisational, "GenieBelt §2.1; G-08, P-17, P-32", "dpo", "G08_P17_no_grant_for_a_person_without_recorded_training_and_confidentiality_undertaking"),
        new("confidentiality-register", "Confidentiality register", "Everyone under the processor's authority, contractors included, is recorded with a signed confidentiality undertaking; the record outlives their leaving.",
            Measure.Organisational, "Personizely DPA Art 2.3; GenieBelt §2.6, §2.11; P-32, G-22", "dpo",
            "P32_G22_a_contractor_without_a_confidentiality_undertaking_gets_no_access_and_the_record_outlives_their_leaving"),
        new("internal-guidelines", "Internal IT security guidelines acknowledged", "Every person acknowledges the internal guidelines on protecting client data in force, with its version; a new version holds their grants until acknowledged.",
            Measure.Organisational, "GenieBelt §4.2 internal IT security; G-39", "dpo",
            "G39_each_person_acknowledges_the_guidelines_in_force_and_a_new_version_holds_new_grants_until_acknowledged"),
        new("export-alerts", "Export alerts", "The CEO and the DPO are alerted whenever client or customer data are exported.",
            Measure.Technical, "Personizely, Security measures; P-25", "dpo", "P25_an_export_alert_reaches_the_ceo_and_the_dpo_staff_accounts_over_real_smtp"),
        new("data-residency", "Data and backups in the EEA", "The service refuses to start with a database or backup region outside the EEA.",
            Measure.Technical, "P-19", "system-administration", "P19_a_backup_region_outside_the_EEA_stops_the_service_at_start"),
        new("admin-network-allowlist", "Staff side only from the admin networks", "The console, staff sign-in and the processor's desk answer only to the configured admin networks (Steward:Access:AdminNetworks); other addresses are refused.",
            Measure.Technical, "GenieBelt §4.2; G-34", "system-administration", "G34_the_staff_side_is_refused_from_outside_the_admin_networks_and_served_inside"),
        new("staff-access-review", "Access review of staff accounts", "The access review lists every staff account with its status and second factor; no active account signs in without TOTP.",
            Measure.Technical, "GenieBelt §4.2; G-35", "system-administration", "G35_the_access_review_lists_every_staff_account_and_none_active_without_a_second_factor"),
        new("secret-scan", "No secrets in the repository", "A scan of the tracked files finds no private key, cloud key, token or password; secrets come from configuration at run time.",
            Measure.Technical, "GenieBelt §4.2 architectural security; G-32", "system-administration", "G32_a_secret_scan_of_the_tracked_files_finds_no_key_token_or_password"),
        new("anomaly-alerts", "Anomalies in the access log alert the DPO", "An unusual volume of exports, failed sign-ins or requests by one actor within the window alerts the DPO, once per window.",
            Measure.Technical, "GenieBelt §4.2 monitoring; G-38", "dpo", "G38_an_unusual_volume_of_exports_or_failed_sign_ins_alerts_the_dpo_once_per_window"),
        new("data-centre", "Data centres", "Hosting across several separate physical data centres, resilient to a data-centre outage.",
            Measure.Organisational, "GenieBelt §4.2 data centre; G-28", "system-administration"),
        new("backups", "Daily backups, kept 14 days", "Account data are mirrored continuously and backed up daily to logically and physically separate servers; backups are kept 14 days.",
            Measure.Organisational, "GenieBelt §4.2 protection against loss of data; G-29", "system-administration"),
        new("encryption-in-transit", "Encryption in transit", "All traffic from clients, login pages included, is TLS-encrypted; plain HTTP is redirected.",
            Measure.Technical, "GenieBelt §4.2, §4.4 external links; Personizely; G-30, G-46", "system-administration"),
        new("firewalls-monitoring", "Firewalls and 24/7 monitoring", "Firewalls in front of every server; monitoring around the clock detects anomalies and reports them to engineers; the system scales with load.",
            Measure.Organisational, "Personizely server-side level; GenieBelt §4.2; G-38", "system-administration"),
        new("infrastructure-as-code", "Infrastructure as code", "All infrastructure is defined as code, versioned and revision-controlled.",
            Measure.Organisational, "GenieBelt §4.2 architectural security; G-31", "system-administration"),
        new("network-separation", "Network separation and a single bastion", "Production and development run in separate networks; peering is allow-listed; operators reach each environment only through one bastion over VPN and SSH.",
            Measure.Organisational, "GenieBelt §4.2 architectural security; G-31", "system-administration"),
        new("secrets-vault", "Secrets in a vault", "Every service secret is held in a secrets vault that developers never see; database credentials are rotated automatically; identities go through the cloud IAM.",
            Measure.Organisational, "GenieBelt §4.2 architectural security; G-32", "system-administration"),
        new("ci-only-deployment", "Deployment through CI only", "Developers never deploy to production directly; every deployment is a pipeline run with who, what commit and when.",
            Measure.Organisational, "GenieBelt §4.2; G-33", "system-administration"),
        new("restricted-admin-network", "Admin interface on a restricted network", "The support admin interface is reachable only through a restricted VPN; support staff have no developer access.",
            Measure.Organisational, "GenieBelt §4.2; G-34", "system-administration"),
        new("production-mfa", "MFA on every production-capable account", "Two-factor authentication for every person with rights that can affect production: cloud console, code hosting, CI/CD, vault.",
            Measure.Organisational, "GenieBelt §4.2; Personizely; G-35", "system-administration"),
        new("vpn-issuance", "VPN certificates issued out of band", "VPN credentials are issued per person by USB key or PGP-encrypted mail, logged and revocable.",
            Measure.Organisational, "GenieBelt §4.2; G-36", "system-administration"),
        new("responsible-disclosure", "Responsible disclosure programme", "A published vulnerability-disclosure channel (security.txt) with intake, tracked ids, triage and fix.",
            Measure.Organisational, "GenieBelt §4.2; G-37", "dpo", "G37_security_txt_is_published_and_a_vulnerability_report_gets_a_tracked_id_through_triage"),
        new("staff-instructions", "Written instructions to staff", "All staff receive written instructions on protecting client data and acknowledge the internal guidelines.",
            Measure.Organisational, "GenieBelt §4.2 internal IT security; G-39", "dpo"),
        new("home-workplaces", "Home workplaces", "Remote staff use only company computers with full-disk encryption; server access only over SSH while on the VPN.",
            Measure.Organisational, "GenieBelt §4.4 workplaces at home; G-48", "system-administration"),
    ];

    /// <summary>Run at start: adds a seed measure whose key the register does not hold yet. Never touches a kept one.</summary>
    public async Task SeedAsync(CancellationToken ct)
    {
        var keys = await db.Set<Measure>().Select(m => m.Key).Distinct().ToListAsync(ct);
        var missing = Seeds.Where(s => !keys.Contains(s.Key)).ToList();
        if (missing.Count == 0) return;
        var now = clock.GetUtcNow();
        var o = options.Value;
        await using var write = await db.BeginWriteAsync(ct);
        foreach (var s in missing)
            db.Add(new Measure
            {
                Id = Guid.CreateVersion7(),
                Key = s.Key,
                Version = 1,
                Current = true,
                Title = s.Title,
                Description = s.Description,
                Category = s.Category,
                Source = s.Source,
                Owner = s.Owner,
                ProvedBy = s.ProvedBy,
                // what Steward enforces is proved by its test suite; the rest waits for a person's dated attestation
                EvidenceKind = s.ProvedBy is null ? null : Measure.Test,
                Evidence = s.ProvedBy is null ? null : "tests/Steward.Tests: " + s.ProvedBy,
                EvidenceAt = s.ProvedBy is null ? null : now,
                ReviewDueAt = now.AddDays(s.ProvedBy is null ? o.FirstAttestationDays : o.ReviewIntervalDays),
                ChangedAt = now,
                ChangedBy = "seed",
                Rationale = "Seeded from " + s.Source,
            });
        await write.CommitAsync(ct);
    }

    public async Task<List<View>> CurrentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return (await db.Set<Measure>().AsNoTracking().Where(m => m.Current).ToListAsync(ct))
            .OrderBy(m => m.Category, StringComparer.Ordinal).ThenBy(m => m.Key, StringComparer.Ordinal).Select(m => View.Of(m, now)).ToList();
    }

    public async Task<List<View>> HistoryAsync(string key, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return (await db.Set<Measure>().AsNoTracking().Where(m => m.Key == key).ToListAsync(ct)).OrderBy(m => m.Version).Select(m => View.Of(m, now)).ToList();
    }

    /// <summary>The general description of the Art. 32 measures, for the records of processing and the reports (Art. 30(2)(d)).</summary>
    public async Task<List<string>> DescriptionAsync(CancellationToken ct) =>
        (await CurrentAsync(ct)).Select(m => $"{m.Title}: {m.Description}").ToList();
}
