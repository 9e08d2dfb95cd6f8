using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Measures;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Measures;

public sealed class MeasureTests
{
    private static Task<int> RemindAsync(StewardApp app) => app.RunAsync(sp => sp.GetRequiredService<RemindMeasureReviews>().HandleAsync(default));

    private static async Task<JsonElement[]> RegisterAsync(StewardApp app) =>
        await (await app.DpoAsync()).GetFromJsonAsync<JsonElement[]>("/v1/processor/measures") ?? [];

    private static JsonElement Find(JsonElement[] register, string key) => register.Single(m => m.GetProperty("key").GetString() == key);

    [Theory, ClassData(typeof(Engines))]
    public async Task G07_P13_every_measure_has_an_owner_and_a_proving_test_or_waits_for_a_dated_attestation_and_overdue_reviews_alert_the_dpo(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var register = await RegisterAsync(app);
        Assert.Equal(MeasureRegister.Seeds.Length, register.Length);
        var tests = typeof(MeasureTests).Assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttributes().Any(a => a is TheoryAttribute or FactAttribute)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var m in register)
        {
            Assert.False(string.IsNullOrWhiteSpace(m.GetProperty("owner").GetString()));
            if (m.GetProperty("provedBy").GetString() is { } test)
            {
                Assert.True(tests.Contains(test), $"{m.GetProperty("key")} names a test that does not exist: {test}");
                Assert.Equal("test", m.GetProperty("evidenceKind").GetString());
            }
            else
            {
                // organisational and infrastructure measures are never shown as proven by software
                Assert.Equal(JsonValueKind.Null, m.GetProperty("evidenceKind").ValueKind);
                Assert.Equal(JsonValueKind.Null, m.GetProperty("evidenceAt").ValueKind);
            }
        }
        foreach (var key in new[] { "infrastructure-as-code", "network-separation", "secrets-vault", "ci-only-deployment", "restricted-admin-network", "production-mfa", "vpn-issuance", "home-workplaces" })
            Assert.Equal("organisational", Find(register, key).GetProperty("category").GetString());

        // a dated attestation: bad ones change nothing
        var dpo = await app.DpoAsync();
        var now = app.Clock.GetUtcNow();
        await (await dpo.PostAsJsonAsync("/v1/processor/measures/home-workplaces/evidence", new { kind = "rumour", evidence = "x", at = now })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync("/v1/processor/measures/home-workplaces/evidence", new { kind = "attestation", evidence = "x", at = now.AddDays(1) })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync("/v1/processor/measures/no-such/evidence", new { kind = "attestation", evidence = "x", at = now })).AssertProblemAsync(404);
        Assert.Equal(JsonValueKind.Null, Find(await RegisterAsync(app), "home-workplaces").GetProperty("evidenceKind").ValueKind);
        var attested = await (await dpo.PostAsJsonAsync("/v1/processor/measures/home-workplaces/evidence",
            new { kind = "attestation", evidence = "MDM report: 14 of 14 laptops with FileVault on", at = now.AddDays(-1) })).JsonAsync();
        Assert.Equal(now.AddDays(364), attested.GetProperty("reviewDueAt").GetDateTimeOffset());
        Assert.Equal((await app.DpoUserAsync()).Id.ToString(), attested.GetProperty("evidenceBy").GetString());

        // unattested measures fall due after the first-attestation period and alert the DPO, once a day, until attested
        var unattested = register.Count(m => m.GetProperty("evidenceKind").ValueKind == JsonValueKind.Null) - 1;
        Assert.Equal(0, await RemindAsync(app));
        app.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Contains(await RegisterAsync(app), m => m.GetProperty("overdue").GetBoolean());
        Assert.False(Find(await RegisterAsync(app), "home-workplaces").GetProperty("overdue").GetBoolean());
        Assert.Equal(unattested, await RemindAsync(app));
        Assert.Equal(unattested, (await app.ReadAsync(RemindMeasureReviews.Kind)).Count(m => m.To == Compliance.Dpo));
        Assert.Equal(0, await RemindAsync(app));
        app.Clock.Advance(TimeSpan.FromHours(24));
        Assert.Equal(unattested, await RemindAsync(app));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P38_G27_P31_a_changed_measure_is_a_new_version_with_its_rationale_announced_to_every_client_and_in_the_next_days_report(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var a = await app.SignUpAsync();
        var b = await app.SignUpAsync();
        var dpo = await app.DpoAsync();
        const string changed = "Backups run every six hours to a separate region and are kept 14 days.";

        await (await dpo.PutAsJsonAsync("/v1/processor/measures/backups", new { description = changed })).AssertProblemAsync(400); // no rationale
        await (await dpo.PutAsJsonAsync("/v1/processor/measures/backups", new { description = changed, category = "magic", rationale = "r" })).AssertProblemAsync(400);
        await (await dpo.PutAsJsonAsync("/v1/processor/measures/brand-new", new { description = "d", rationale = "r" })).AssertProblemAsync(400); // a new one needs all
        await (await a.Http.PutAsJsonAsync("/v1/processor/measures/backups", new { description = changed, rationale = "r" })).AssertProblemAsync(401);
        Assert.Equal(0, await app.OutboxAsync(ReviseMeasure.NoticeKind));

        var revised = await dpo.PutAsJsonAsync("/v1/processor/measures/backups", new { description = changed, rationale = "Lower recovery point objective" });
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        Assert.Equal(2, (await revised.JsonAsync()).GetProperty("version").GetInt32());
        Assert.Equal(1, await app.OutboxAsync(ReviseMeasure.NoticeKind, a.ClientId));
        Assert.Equal(1, await app.OutboxAsync(ReviseMeasure.NoticeKind, b.ClientId));
        Assert.Contains(changed, (await app.ReadAsync(ReviseMeasure.NoticeKind))[0].Body, StringComparison.Ordinal);

        var history = await dpo.GetFromJsonAsync<JsonElement[]>("/v1/processor/measures/backups/history") ?? [];
        Assert.Equal([1, 2], history.Select(h => h.GetProperty("version").GetInt32()));
        Assert.NotEqual(changed, history[0].GetProperty("description").GetString());
        Assert.Equal("Lower recovery point objective", history[1].GetProperty("rationale").GetString());
        Assert.Equal((await app.DpoUserAsync()).Id.ToString(), history[1].GetProperty("changedBy").GetString());
        await (await dpo.GetAsync("/v1/processor/measures/no-such/history")).AssertProblemAsync(404);

        // the day after, the client's report, DPIA package and register show the change
        app.Clock.Advance(TimeSpan.FromDays(1));
        var report = await a.Http.GetFromJsonAsync<JsonElement>(a.Base + "/measures-report");
        var backups = report.GetProperty("securityMeasures").EnumerateArray().Single(m => m.GetProperty("key").GetString() == "backups");
        Assert.Equal(changed, backups.GetProperty("description").GetString());
        Assert.Equal(2, backups.GetProperty("version").GetInt32());
        var dpia = await a.Http.GetFromJsonAsync<JsonElement>(a.Base + "/dpia-package");
        Assert.Contains(dpia.GetProperty("securityMeasures").EnumerateArray(), m => m.GetString()!.Contains(changed, StringComparison.Ordinal));
        Assert.Contains(await b.Http.GetFromJsonAsync<JsonElement[]>(b.Base + "/measures") ?? [], m => m.GetProperty("description").GetString() == changed);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G02_a_clients_security_policy_left_unreviewed_past_the_sla_alerts_the_dpo_and_the_review_is_recorded_and_told(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var url = tenant.Base + "/security-policies";
        await (await tenant.Http.PostAsJsonAsync(url, new { title = "IT policy", fileName = "policy.pdf", contentBase64 = "%%%" })).AssertProblemAsync(400);
        await (await tenant.Http.PostAsJsonAsync(url, new { title = "", fileName = "../policy.pdf", contentBase64 = "JVBERi0=" })).AssertProblemAsync(400);
        var content = "Site rules: badge access; security officer Jane Roe"u8.ToArray();
        var uploaded = await tenant.Http.PostAsJsonAsync(url, new { title = "IT security policy 2026", fileName = "policy.pdf", contentBase64 = Convert.ToBase64String(content) });
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var id = (await uploaded.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Empty(await other.Http.GetFromJsonAsync<JsonElement[]>(other.Base + "/security-policies") ?? []);
        var stored = await app.WithDbAsync((db, _) => db.Set<ClientSecurityPolicy>().IgnoreQueryFilters().SingleAsync(p => p.Id == id));
        Assert.DoesNotContain("Jane Roe", Encoding.UTF8.GetString(stored.ContentSealed), StringComparison.Ordinal);

        // attest every measure so only the policy can fall due
        var dpo = await app.DpoAsync();
        foreach (var m in await RegisterAsync(app))
            await dpo.PostAsJsonAsync($"/v1/processor/measures/{m.GetProperty("key").GetString()}/evidence", new { kind = "document", evidence = "checked", at = app.Clock.GetUtcNow() });
        app.Clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await RemindAsync(app));
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await RemindAsync(app));
        var alert = Assert.Single(await app.ReadAsync(RemindMeasureReviews.Kind));
        Assert.Equal(tenant.ClientId, alert.ClientId);
        Assert.Equal(Compliance.Dpo, alert.To);

        dpo = await app.DpoAsync();
        await (await dpo.PostAsJsonAsync($"/v1/processor/security-policies/{id}/review", new { outcome = "fine", notes = "read" })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync($"/v1/processor/security-policies/{Guid.NewGuid()}/review", new { outcome = "accepted", notes = "read" })).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.OK, (await dpo.PostAsJsonAsync($"/v1/processor/security-policies/{id}/review",
            new { outcome = "issues-raised", notes = "Badge logs must be kept 6 months, ours are kept 3: raised with the client" })).StatusCode);
        await (await dpo.PostAsJsonAsync($"/v1/processor/security-policies/{id}/review", new { outcome = "accepted", notes = "again" })).AssertProblemAsync(409);
        var seen = Assert.Single(await tenant.Http.GetFromJsonAsync<JsonElement[]>(url) ?? []);
        Assert.Equal("issues-raised", seen.GetProperty("outcome").GetString());
        Assert.Equal(1, await app.OutboxAsync("security-policy-review", tenant.ClientId));
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await RemindAsync(app));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G28_G31_G33_G36_G48_infrastructure_measures_are_recorded_with_a_dated_attestation_and_its_document_and_flagged_and_alerted_when_overdue(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var dpo = await app.DpoAsync();
        string[] attested = ["data-centre", "infrastructure-as-code", "network-separation", "secrets-vault", "ci-only-deployment",
            "restricted-admin-network", "production-mfa", "vpn-issuance", "firewalls-monitoring", "home-workplaces"];
        var register = await RegisterAsync(app);
        foreach (var key in attested)
        {
            var m = Find(register, key);
            // never shown as software: no test, no evidence until a person attests
            Assert.Equal("organisational", m.GetProperty("category").GetString());
            Assert.Equal(JsonValueKind.Null, m.GetProperty("provedBy").ValueKind);
            Assert.Equal(JsonValueKind.Null, m.GetProperty("evidenceKind").ValueKind);
        }
        foreach (var requirement in new[] { "G-28", "G-31", "G-32", "G-33", "G-34", "G-35", "G-36", "G-38", "G-48" })
            Assert.Contains(register, m => m.GetProperty("category").GetString() == "organisational" && m.GetProperty("source").GetString()!.Contains(requirement, StringComparison.Ordinal));

        var now = app.Clock.GetUtcNow();
        foreach (var key in attested)
            Assert.Equal(HttpStatusCode.OK, (await dpo.PostAsJsonAsync($"/v1/processor/measures/{key}/evidence",
                new { kind = "attestation", evidence = $"Attested by the head of operations; document ops/{key}-2026.pdf (sha256 on file)", at = now.AddDays(-10) })).StatusCode);
        register = await RegisterAsync(app);
        foreach (var key in attested)
        {
            var m = Find(register, key);
            Assert.Equal("attestation", m.GetProperty("evidenceKind").GetString());
            Assert.Contains($"ops/{key}-2026.pdf", m.GetProperty("evidence").GetString(), StringComparison.Ordinal);
            Assert.Equal(now.AddDays(-10), m.GetProperty("evidenceAt").GetDateTimeOffset());
            Assert.Equal((await app.DpoUserAsync()).Id.ToString(), m.GetProperty("evidenceBy").GetString());
            Assert.Equal(now.AddDays(355), m.GetProperty("reviewDueAt").GetDateTimeOffset());
            Assert.False(m.GetProperty("overdue").GetBoolean());
        }
        // the client sees the same evidence and review dates
        var tenant = await app.SignUpAsync();
        var seen = await tenant.Http.GetFromJsonAsync<JsonElement[]>(tenant.Base + "/measures") ?? [];
        Assert.Equal("attestation", Find(seen, "vpn-issuance").GetProperty("evidenceKind").GetString());

        // a year on, without a new attestation, each is flagged overdue and the DPO is alerted
        await RemindAsync(app); // the measures never attested in this test fell due already
        var before = (await app.ReadAsync(RemindMeasureReviews.Kind)).Count;
        app.Clock.Advance(TimeSpan.FromDays(356));
        register = await RegisterAsync(app);
        foreach (var key in attested) Assert.True(Find(register, key).GetProperty("overdue").GetBoolean(), key);
        await RemindAsync(app);
        var alerts = (await app.ReadAsync(RemindMeasureReviews.Kind)).Skip(before).ToList();
        foreach (var key in attested)
            Assert.Contains(alerts, a => a.To == Compliance.Dpo && a.Body.Contains($"({key} v1", StringComparison.Ordinal));
    }

    [Fact]
    public void G32_a_secret_scan_of_the_tracked_files_finds_no_key_token_or_password()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Steward.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var files = Directory.EnumerateFiles(root.FullName, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root.FullName, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part is ".git" or "bin" or "obj" or "node_modules" or "TestResults")).ToList();
        Assert.True(files.Count > 100, "the scan found the repository");
        Regex[] everywhere =
        [
            new("-----BEGIN [A-Z ]*PRIVATE KEY-----"), new("AKIA[0-9A-Z]{16}"), new("gh[pousr]_[A-Za-z0-9]{36}"), new("xox[baprs]-[A-Za-z0-9-]{10,}"),
            new("sk_live_[A-Za-z0-9]{16,}"), new(@"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"), new("AIza[0-9A-Za-z_-]{35}"),
        ];
        // a password or secret written as a literal; test fixtures (tests/) use made-up ones on purpose: the explicit exclusion
        Regex assigned = new(@"(password|passwd|pwd|secret|api[_-]?key|token)""?\s*[:=]\s*""[^""{}$ ]{8,}""|(Password|Pwd)=[^;""{ ]{4,}", RegexOptions.IgnoreCase);
        var found = new List<string>();
        foreach (var file in files)
        {
            var info = new FileInfo(Path.Combine(root.FullName, file));
            if (info.Length > 5_000_000) continue;
            var text = File.ReadAllText(info.FullName);
            if (text.Contains('\0')) continue; // binary
            found.AddRange(everywhere.Where(r => r.IsMatch(text)).Select(r => $"{file}: {r}"));
            if (!file.StartsWith("tests/", StringComparison.Ordinal) && assigned.Match(text) is { Success: true } m) found.Add($"{file}: {m.Value}");
        }
        Assert.Empty(found);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G34_the_staff_side_is_refused_from_outside_the_admin_networks_and_served_inside(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine, s =>
        {
            s["Steward:Access:AdminNetworks:0"] = "10.8.0.0/16";
            s["Steward:Access:AdminNetworks:1"] = "203.0.113.0/24"; // StewardApp.DefaultIp: the staff helpers sign in from it
        });
        var dpo = await app.DpoUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.GetAsync("/v1/processor/measures")).StatusCode);
        var vpn = app.Anonymous("10.8.3.4");
        vpn.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", dpo.Token);
        Assert.Equal(HttpStatusCode.OK, (await vpn.GetAsync("/v1/processor/measures")).StatusCode);

        // the same token from the public internet: refused, as are sign-in and the console
        var outside = app.Anonymous("198.51.100.9");
        outside.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", dpo.Token);
        var refused = await (await outside.GetAsync("/v1/processor/measures")).AssertProblemAsync(403);
        Assert.Contains("admin network", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await outside.GetAsync("/v1/processor/access-review")).AssertProblemAsync(403);
        await (await app.SignInAsync(dpo.Email, dpo.Password, ip: "198.51.100.9")).AssertProblemAsync(403);
        await (await app.Anonymous("198.51.100.9").GetAsync("/console/sign-in")).AssertProblemAsync(403);
        await (await app.Anonymous("2001:db8::1").GetAsync("/console")).AssertProblemAsync(403);
        // the refusal is in the access log
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Status == 403 && e.Outcome != "success")));

        // the clients' side stays public
        var tenant = await app.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous("198.51.100.9").GetAsync("/.well-known/security.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync(tenant.Base + "/measures")).StatusCode);
        Assert.False(AdminNetworks.IsStaffPath("/console/public/requests/x"));
        Assert.True(AdminNetworks.IsStaffPath("/v1/staff/sessions"));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G35_the_access_review_lists_every_staff_account_and_none_active_without_a_second_factor(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var support = await app.AddStaffAsync(ceo, Steward.Access.Roles.CustomerSuccess);
        var review = await dpo.Http.GetFromJsonAsync<JsonElement>("/v1/processor/access-review");
        var accounts = review.GetProperty("accounts").EnumerateArray().ToList();
        var staffIds = await app.WithDbAsync((db, _) => db.Set<Steward.Access.StaffMember>().Select(s => s.Id).ToListAsync());
        Assert.Equal(staffIds.Order(), accounts.Select(a => a.GetProperty("staffId").GetGuid()).Order());
        foreach (var id in new[] { ceo.Id, dpo.Id, support.Id })
        {
            var account = accounts.Single(a => a.GetProperty("staffId").GetGuid() == id);
            Assert.Equal("active", account.GetProperty("status").GetString());
            Assert.True(account.GetProperty("secondFactor").GetBoolean());
        }
        Assert.Empty(review.GetProperty("withoutSecondFactor").EnumerateArray());
        await (await app.Anonymous().GetAsync("/v1/processor/access-review")).AssertProblemAsync(401);

        // a synthetic finding: an account whose second factor was lost is reported
        await app.WithDbAsync(async (db, _) =>
        {
            var member = await db.Set<Steward.Access.StaffMember>().SingleAsync(s => s.Id == support.Id);
            member.TotpSecretSealed = null;
            return await db.SaveChangesAsync();
        });
        review = await dpo.Http.GetFromJsonAsync<JsonElement>("/v1/processor/access-review");
        Assert.Equal(support.Id, Assert.Single(review.GetProperty("withoutSecondFactor").EnumerateArray()).GetGuid());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G38_an_unusual_volume_of_exports_or_failed_sign_ins_alerts_the_dpo_once_per_window(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine, s => s["Steward:Measures:AnomalyExports"] = "10");
        var tenant = await app.SignUpAsync();
        var detect = () => app.RunAsync(sp => sp.GetRequiredService<DetectAnomalies>().HandleAsync(default));
        var record = (string actor, string action, string outcome, int count) => app.RunAsync(async sp =>
        {
            var context = sp.GetRequiredService<Steward.Audit.AuditContext>();
            context.ActorType = "api-key";
            context.ActorId = actor;
            var db = sp.GetRequiredService<Steward.Data.StewardDb>();
            var audit = sp.GetRequiredService<Steward.Audit.AuditLog>();
            await using var write = await db.BeginWriteAsync(default);
            for (var i = 0; i < count; i++)
            {
                await audit.RecordAsync(db, action, "client", tenant.ClientId.ToString(), default, clientId: tenant.ClientId, outcome: outcome, status: outcome == "success" ? 200 : 401);
                app.Clock.Advance(TimeSpan.FromSeconds(1));
            }
            await write.CommitAsync(default);
            return count;
        });

        // normal use raises nothing
        await record("key-normal", "ExportContacts", "success", 9);
        Assert.Empty(await detect());
        // a synthetic burst of exports by one key, and of failed sign-ins
        await record("key-burst", "ExportContacts", "success", 10);
        await record("anonymous", "ClientSignIn:bad-password", "refused", 20);
        var anomalies = await detect();
        Assert.Contains(anomalies, a => a.Kind == "exports" && a.Who == "api-key:key-burst" && a.Count == 10);
        Assert.Contains(anomalies, a => a.Kind == "failed-sign-ins" && a.Count == 20);
        Assert.DoesNotContain(anomalies, a => a.Who == "api-key:key-normal");
        var alerts = await app.ReadAsync(DetectAnomalies.Kind);
        Assert.Equal(anomalies.Count, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(Compliance.Dpo, a.To));
        Assert.Contains(alerts, a => a.ClientId == tenant.ClientId && a.Subject.Contains("10 exports by api-key:key-burst", StringComparison.Ordinal));

        // once per window: the next run is silent; after the window the burst is history
        Assert.Empty(await detect());
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Empty(await detect());
        await record("key-burst", "ExportContacts", "success", 10);
        Assert.Single(await detect());
    }
}
