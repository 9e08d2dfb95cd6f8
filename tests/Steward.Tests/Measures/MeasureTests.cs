using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
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
}
