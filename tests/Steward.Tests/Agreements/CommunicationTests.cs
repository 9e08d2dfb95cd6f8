using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Agreements;
using Steward.Measures;
using Steward.Notifications;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Agreements;

public sealed class CommunicationTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G24_every_written_communication_under_the_dpa_is_logged_per_client_with_its_delivery_status(Engine engine)
    {
        var port = Mailbox.SmtpPort();
        await using var app = await Compliance.StartAsync(engine, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = port.ToString(CultureInfo.InvariantCulture);
            s["Steward:Mail:Security"] = "None";
        });
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var dpo = await app.DpoAsync();
        Assert.Equal(HttpStatusCode.Created, (await dpo.PostAsJsonAsync("/v1/processor/agreements", new
        {
            document = "gdpr",
            version = "2.0",
            title = "GDPR Statement",
            body = "Text",
            effectiveFrom = app.Clock.GetUtcNow().AddDays(30),
            rationale = "Clearer",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dpo.PutAsJsonAsync("/v1/processor/measures/backups", new { description = "Hourly backups", rationale = "RPO" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await dpo.PostAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/instruction-flags",
            new { instruction = "keep data forever", reason = "storage limitation" })).StatusCode);

        var log = await tenant.Http.GetFromJsonAsync<JsonElement[]>(tenant.Base + "/communications") ?? [];
        Assert.Equal([PublishAgreement.NoticeKind, ReviseMeasure.NoticeKind, "instruction-flag"], log.Select(e => e.GetProperty("kind").GetString()));
        Assert.All(log, e => Assert.Equal(OutboxMessage.Pending, e.GetProperty("status").GetString()));
        Assert.Equal(2, (await other.Http.GetFromJsonAsync<JsonElement[]>(other.Base + "/communications") ?? []).Length);

        await app.RunAsync(sp => sp.GetRequiredService<DeliverNotifications>().HandleAsync(50, default));
        log = await tenant.Http.GetFromJsonAsync<JsonElement[]>(tenant.Base + "/communications") ?? [];
        Assert.All(log, e =>
        {
            Assert.Equal(OutboxMessage.Delivered, e.GetProperty("status").GetString());
            Assert.Equal(app.Clock.GetUtcNow(), e.GetProperty("deliveredAt").GetDateTimeOffset());
        });
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P44_G05_a_disclosure_needs_a_basis_and_a_legal_order_tells_the_client_first_unless_the_law_forbids_it(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var dpo = await app.DpoAsync();
        var url = $"/v1/processor/clients/{tenant.ClientId}/disclosures";
        const string data = "names and email addresses of 3 contacts";
        await (await dpo.PostAsJsonAsync(url, new { recipient = "Police", dataDescription = data })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync(url, new { recipient = "Police", basis = "curiosity", dataDescription = data })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync(url, new { recipient = "Partner ApS", basis = "client-permission", dataDescription = data })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync(url, new { recipient = "Police", basis = "legal-obligation", reference = "Order 1", dataDescription = data })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync(url, new { recipient = "Police", basis = "legal-obligation", reference = "Order 1", dataDescription = data, clientPreNotified = false })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync($"/v1/processor/clients/{Guid.NewGuid()}/disclosures", new { recipient = "Bank", basis = "assignment", dataDescription = data })).AssertProblemAsync(404);
        await (await tenant.Http.PostAsJsonAsync(url, new { recipient = "Bank", basis = "assignment", dataDescription = data })).AssertProblemAsync(401);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Set<Disclosure>().IgnoreQueryFilters().CountAsync()));

        Assert.Equal(HttpStatusCode.Created, (await dpo.PostAsJsonAsync(url, new { recipient = "Court of Odense", basis = "legal-obligation", reference = "Order 2026-17", dataDescription = data, clientPreNotified = true })).StatusCode);
        Assert.Equal(1, await app.OutboxAsync(RecordDisclosure.NoticeKind, tenant.ClientId));
        Assert.Equal(HttpStatusCode.Created, (await dpo.PostAsJsonAsync(url, new { recipient = "Police", basis = "legal-obligation", reference = "Order 2026-18", dataDescription = data, clientPreNotified = false, noNoticeReason = "Gag order under the Administration of Justice Act" })).StatusCode);
        Assert.Equal(1, await app.OutboxAsync(RecordDisclosure.NoticeKind, tenant.ClientId));
        Assert.Equal(HttpStatusCode.Created, (await dpo.PostAsJsonAsync(url, new { recipient = "Mail relay Inc.", basis = "assignment", dataDescription = data })).StatusCode);

        var seen = await tenant.Http.GetFromJsonAsync<JsonElement[]>(tenant.Base + "/disclosures") ?? [];
        Assert.Equal(["Court of Odense", "Mail relay Inc."], seen.Select(d => d.GetProperty("recipient").GetString()));
        Assert.Empty(await other.Http.GetFromJsonAsync<JsonElement[]>(other.Base + "/disclosures") ?? []);
        Assert.Equal(3, await app.WithDbAsync((db, _) => db.Set<Disclosure>().IgnoreQueryFilters().CountAsync(d => d.ClientId == tenant.ClientId)));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G37_security_txt_is_published_and_a_vulnerability_report_gets_a_tracked_id_through_triage(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine, s => s["Steward:Processor:Email"] = "security@processor.example");
        var anonymous = app.Anonymous();
        var txt = await anonymous.GetAsync("/.well-known/security.txt");
        Assert.Equal(HttpStatusCode.OK, txt.StatusCode);
        Assert.Equal("text/plain", txt.Content.Headers.ContentType!.MediaType);
        var text = await txt.Content.ReadAsStringAsync();
        Assert.Contains("Contact: mailto:security@processor.example", text, StringComparison.Ordinal);
        Assert.Contains("/v1/security/reports", text, StringComparison.Ordinal);
        Assert.Contains("Expires: " + app.Clock.GetUtcNow().AddDays(180).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/security/policy")).StatusCode);

        await (await anonymous.PostAsJsonAsync("/v1/security/reports", new { summary = "", details = "x" })).AssertProblemAsync(400);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Set<VulnerabilityReport>().CountAsync()));
        var created = await anonymous.PostAsJsonAsync("/v1/security/reports", new { summary = "Stored XSS in widget title", details = "Steps: …", contact = "finder@research.example" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.JsonAsync()).GetProperty("id").GetGuid();
        var stored = await app.WithDbAsync((db, _) => db.Set<VulnerabilityReport>().SingleAsync());
        Assert.DoesNotContain("finder@research.example", Encoding.UTF8.GetString(stored.ContactSealed!), StringComparison.Ordinal);
        Assert.Equal("received", (await anonymous.GetFromJsonAsync<JsonElement>($"/v1/security/reports/{id}")).GetProperty("status").GetString());
        await (await anonymous.GetAsync($"/v1/security/reports/{Guid.NewGuid()}")).AssertProblemAsync(404);

        var dpo = await app.DpoAsync();
        var desk = Assert.Single(await dpo.GetFromJsonAsync<JsonElement[]>("/v1/processor/vulnerability-reports") ?? []);
        Assert.Equal("finder@research.example", desk.GetProperty("contact").GetString());
        await (await dpo.PostAsJsonAsync($"/v1/processor/vulnerability-reports/{id}/status", new { status = "ignored" })).AssertProblemAsync(400);
        await (await anonymous.PostAsJsonAsync($"/v1/processor/vulnerability-reports/{id}/status", new { status = "fixed" })).AssertProblemAsync(401);
        Assert.Equal(HttpStatusCode.OK, (await dpo.PostAsJsonAsync($"/v1/processor/vulnerability-reports/{id}/status", new { status = "triaged", severity = "high", note = "reproduced" })).StatusCode);
        Assert.Equal("triaged", (await anonymous.GetFromJsonAsync<JsonElement>($"/v1/security/reports/{id}")).GetProperty("status").GetString());
    }
}
