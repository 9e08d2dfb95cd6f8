using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Retention;
using Steward.SubProcessors;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.SubProcessors;

public sealed partial class ErasurePropagationTests
{
    [GeneratedRegex(@"/v1/erasure-confirmations/([A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmationLink();

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_an_erased_contact_is_erased_at_every_vendor_with_a_receipt_each_retries_and_escalation(Engine engine)
    {
        var signingKey = RandomNumberGenerator.GetBytes(32);
        await using var vendors = await VendorEmulator.StartAsync(signingKey);
        var dpo = $"dpo-{Guid.NewGuid():N}@processor.example";
        await using var app = await SubProcessorFixture.StartAsync(engine, s =>
        {
            s["Steward:SubProcessors:WebhookSigningKey"] = Convert.ToBase64String(signingKey);
            s["Steward:SubProcessors:ConnectorSecrets:vendor"] = VendorEmulator.Token;
            s["Steward:SubProcessors:ConnectorTimeoutSeconds"] = "1";
            s["Steward:Alerts:Recipients:0"] = dpo;
        });
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("InHouse CRM", "DE"), SubProcessorFixture.Proposal("Silent Vendor", "DE"),
            SubProcessorFixture.Proposal("Declarative Vendor", "IE"), SubProcessorFixture.Proposal("Paper Vendor", "NL"));
        await app.RecordEvidenceAsync(ids[0], new() { ["connector"] = "webhook", ["connectorSpec"] = new { url = vendors.BaseUrl + "/webhook" } });
        await app.RecordEvidenceAsync(ids[1], new() { ["connector"] = "webhook", ["connectorSpec"] = new { url = vendors.BaseUrl + "/hang" } });
        await app.RecordEvidenceAsync(ids[2], new()
        {
            ["connector"] = "http",
            ["connectorSpec"] = new
            {
                method = "POST",
                url = vendors.BaseUrl + "/api/erase",
                headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {secret:vendor}" },
                body = """{"email":"{email}","reference":"{requestId}"}""",
                jobIdProperty = "id",
            },
        });
        // a connector spec that is not a URL is refused, and the connector stays as it was
        var bad = await (await app.DpoAsync()).PutAsJsonAsync($"/v1/admin/subprocessors/{ids[3]}/evidence", new { connector = "webhook", connectorSpec = new { url = "file:///etc/passwd" } });
        await bad.AssertProblemAsync(400);

        var tenant = await app.SignUpAsync();
        var contactId = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var erased = await (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{contactId}/erase", null)).JsonAsync();
        // the four confirmed vendors; the fifteen seeded, unconfirmed ones never received anything
        Assert.Equal(4, erased.GetProperty("subProcessorRequests").GetInt32());
        var sealedEmails = await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().Select(r => r.EmailSealed!).ToListAsync());
        Assert.All(sealedEmails, e => Assert.True(e.AsSpan().IndexOf("Example.com"u8) < 0));

        // first round: the declarative API confirms, the manual vendor gets its task, the webhook fails, the silent one times out
        Assert.Equal(new DeliverErasures.Outcome(1, 1, 2, 0), await app.DeliverErasuresAsync());
        var progress = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}");
        Assert.False(progress.GetProperty("complete").GetBoolean());
        Assert.Equal("api-job-42", Vendor(progress, "Declarative Vendor").GetProperty("vendorJobId").GetString());
        Assert.Contains("no answer", Vendor(progress, "Silent Vendor").GetProperty("lastResponse").GetString());

        // nothing is due again before its backoff; then the webhook fails a second time, and succeeds on the third
        Assert.Equal(new DeliverErasures.Outcome(0, 0, 0, 0), await app.DeliverErasuresAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DeliverErasures.Outcome(0, 0, 2, 0), await app.DeliverErasuresAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await app.DeliverErasuresAsync();
        progress = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}");
        var inHouse = Vendor(progress, "InHouse CRM");
        Assert.Equal("confirmed", inHouse.GetProperty("status").GetString());
        Assert.Equal(3, inHouse.GetProperty("attempts").GetInt32());
        Assert.Equal("wh-job-7", inHouse.GetProperty("vendorJobId").GetString());
        Assert.Equal(3, vendors.WebhookCalls);
        Assert.Empty(vendors.BadSignatures);
        Assert.All(vendors.Received, r => Assert.Contains("Jane.Doe@Example.com", r));
        Assert.Contains(vendors.Received, r => r.StartsWith("api ", StringComparison.Ordinal));

        // the manual vendor confirms once through the link in its email
        await app.DeliverMailAsync();
        var mail = Directory.GetFiles(Path.Combine(app.DataDirectory, "mail-drop"), "*.eml")
            .Select(f => MimeKit.MimeMessage.Load(f)).Single(m => m.To.ToString().Contains("paper-vendor", StringComparison.Ordinal));
        Assert.Contains("Jane.Doe@Example.com", mail.TextBody);
        var token = ConfirmationLink().Match(mail.TextBody!).Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsync($"/v1/erasure-confirmations/{token}", null)).StatusCode);
        await (await app.Anonymous().PostAsync($"/v1/erasure-confirmations/{token}", null)).AssertProblemAsync(410);
        await (await app.Anonymous().PostAsync("/v1/erasure-confirmations/not-a-token", null)).AssertProblemAsync(404);

        // the vendor that never answers: still open at its due date, escalated to the DPO once
        app.Clock.Advance(TimeSpan.FromDays(30));
        Assert.Equal(1, (await app.DeliverErasuresAsync()).Escalated);
        Assert.Equal(0, (await app.DeliverErasuresAsync()).Escalated);
        Assert.Equal(1, await app.WithDbAsync((db, _) => db.OutboxMessages.CountAsync(m => m.Kind == "subprocessor-erasure-overdue")));
        progress = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}");
        Assert.False(progress.GetProperty("complete").GetBoolean());
        Assert.Equal(JsonValueKind.String, Vendor(progress, "Silent Vendor").GetProperty("escalatedAt").ValueKind);
        Assert.Equal(3, progress.GetProperty("vendors").EnumerateArray().Count(v => v.GetProperty("status").GetString() == "confirmed"));

        // confirmed requests keep no readable identifier: their key is gone and the sealed copy cleared
        var confirmed = await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().Where(r => r.Status == "confirmed").ToListAsync());
        Assert.All(confirmed, r => Assert.Null(r.EmailSealed));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_the_shipped_Mailchimp_and_HubSpot_connectors_erase_as_their_documented_APIs_expect(Engine engine)
    {
        await using var vendors = await VendorEmulator.StartAsync(RandomNumberGenerator.GetBytes(32));
        await using var app = await SubProcessorFixture.StartAsync(engine, s =>
        {
            s["Steward:SubProcessors:ConnectorSecrets:mailchimp"] = Convert.ToBase64String("anystring:"u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(VendorEmulator.Token)).ToArray());
            s["Steward:SubProcessors:ConnectorSecrets:hubspot"] = VendorEmulator.Token;
        });
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("Mailchimp EU", "DE"), SubProcessorFixture.Proposal("HubSpot EU", "DE"));
        await app.RecordEvidenceAsync(ids[0], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "mailchimp", variables = new { baseUrl = vendors.BaseUrl, listId = "list-9" } } });
        await app.RecordEvidenceAsync(ids[1], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "hubspot", variables = new { baseUrl = vendors.BaseUrl } } });
        // a preset that does not exist, or one missing a variable, is refused
        await (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/admin/subprocessors/{ids[0]}/evidence", new { connector = "http", connectorSpec = new { preset = "nosuchvendor" } })).AssertProblemAsync(400);
        await (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/admin/subprocessors/{ids[0]}/evidence", new { connector = "http", connectorSpec = new { preset = "mailchimp" } })).AssertProblemAsync(400);

        var tenant = await app.SignUpAsync();
        var contactId = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{contactId}/erase", null)).StatusCode);
        Assert.Equal(new DeliverErasures.Outcome(2, 0, 0, 0), await app.DeliverErasuresAsync());

        const string hash = "0cba00ca3da1b283a57287bcceb17e35"; // MD5 of the lower-cased email, as Mailchimp documents the subscriber hash
        Assert.Contains($"mailchimp list-9 {hash}", vendors.Received);
        Assert.Contains("hubspot Jane.Doe@Example.com", vendors.Received);
        var progress = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}");
        Assert.True(progress.GetProperty("complete").GetBoolean());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_the_shipped_Zendesk_Intercom_and_Segment_connectors_look_up_erase_honour_Retry_After_and_poll_the_job(Engine engine)
    {
        await using var vendors = await VendorEmulator.StartAsync(RandomNumberGenerator.GetBytes(32));
        await using var app = await SubProcessorFixture.StartWithEmulatorSecretsAsync(engine);
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("Zendesk EU", "DE"), SubProcessorFixture.Proposal("Intercom EU", "IE"),
            SubProcessorFixture.Proposal("Segment EU", "IE"));
        // Zendesk has no default host: its subdomain is the client's
        await (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/admin/subprocessors/{ids[0]}/evidence", new { connector = "http", connectorSpec = new { preset = "zendesk" } })).AssertProblemAsync(400);
        await app.RecordEvidenceAsync(ids[0], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "zendesk", variables = new { baseUrl = vendors.BaseUrl } } });
        await app.RecordEvidenceAsync(ids[1], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "intercom", variables = new { baseUrl = vendors.BaseUrl } } });
        await app.RecordEvidenceAsync(ids[2], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "segment", variables = new { baseUrl = vendors.BaseUrl } } });

        var tenant = await app.SignUpAsync();
        var contactId = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{contactId}/erase", null)).StatusCode);

        // Intercom: found by email and its delete request accepted; Segment: the regulation is running;
        // Zendesk: found and soft-deleted, but the permanent delete is rate limited (429, Retry-After: 120)
        Assert.Equal(new DeliverErasures.Outcome(1, 1, 1, 0), await app.DeliverErasuresAsync());
        Assert.Contains("intercom delete-request 64f1c0ffee", vendors.Received);
        Assert.Contains("segment regulation Jane.Doe@Example.com", vendors.Received);
        Assert.Contains("zendesk soft-deleted 9001", vendors.Received);
        var progress = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}");
        Assert.Equal("10", Vendor(progress, "Intercom EU").GetProperty("vendorJobId").GetString());
        Assert.Equal("reg-2Nq7", Vendor(progress, "Segment EU").GetProperty("vendorJobId").GetString());
        Assert.StartsWith("429", Vendor(progress, "Zendesk EU").GetProperty("lastResponse").GetString());

        // the Retry-After is honoured: nothing before 120 seconds, even though the backoff alone would allow it
        app.Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(new DeliverErasures.Outcome(0, 0, 0, 0), await app.DeliverErasuresAsync());
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        // the retry reuses the Zendesk id it found (a soft-deleted user no longer appears in a search): already soft-deleted, then gone for good
        Assert.Equal(new DeliverErasures.Outcome(1, 0, 0, 0), await app.DeliverErasuresAsync());
        Assert.Equal(1, vendors.ZendeskSearches);
        Assert.Contains("zendesk permanently-deleted 9001", vendors.Received);

        // Segment's job is polled hourly: running, then finished
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DeliverErasures.Outcome(0, 1, 0, 0), await app.DeliverErasuresAsync());
        Assert.False((await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}")).GetProperty("complete").GetBoolean());
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DeliverErasures.Outcome(1, 0, 0, 0), await app.DeliverErasuresAsync());
        progress = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}");
        Assert.True(progress.GetProperty("complete").GetBoolean());
        Assert.Contains("FINISHED", Vendor(progress, "Segment EU").GetProperty("lastResponse").GetString());
        Assert.Equal("9001", Vendor(progress, "Zendesk EU").GetProperty("vendorJobId").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_a_purged_client_has_every_vendor_told_to_forget_each_of_its_contacts_with_a_receipt_each(Engine engine)
    {
        var signingKey = RandomNumberGenerator.GetBytes(32);
        await using var vendors = await VendorEmulator.StartAsync(signingKey);
        await using var app = await SubProcessorFixture.StartAsync(engine, s =>
        {
            s["Steward:SubProcessors:WebhookSigningKey"] = Convert.ToBase64String(signingKey);
            s["Steward:SubProcessors:ConnectorSecrets:vendor"] = VendorEmulator.Token;
        });
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("InHouse CRM", "DE"), SubProcessorFixture.Proposal("Declarative Vendor", "IE"));
        await app.RecordEvidenceAsync(ids[0], new() { ["connector"] = "webhook", ["connectorSpec"] = new { url = vendors.BaseUrl + "/webhook" } });
        await app.RecordEvidenceAsync(ids[1], new()
        {
            ["connector"] = "http",
            ["connectorSpec"] = new { url = vendors.BaseUrl + "/api/erase", headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {secret:vendor}" }, body = """{"email":"{emailJson}"}""" },
        });
        var tenant = await app.SignUpAsync();
        var staying = await app.SignUpAsync();
        var jane = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var john = (await tenant.CreateContactAsync(new Dictionary<string, object?> { ["email"] = "john.roe@example.org", ["firstName"] = "John" })).GetProperty("id").GetGuid();
        await staying.CreateContactAsync(new Dictionary<string, object?> { ["email"] = "stays@example.net" });

        // the client leaves; at the end of its grace window it is purged (the same as a destruction of the whole client)
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync(tenant.Base + "/cancel", null)).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(90));
        Assert.Equal(1, await app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().DueAsync(default)));
        var requests = await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Assert.Equal(4, requests.Count); // two contacts, two vendors; nothing for the client that stays
        Assert.All(requests, r => Assert.Equal(tenant.ClientId, r.ClientId));
        Assert.Equal([jane, john], requests.Select(r => r.ContactId).Distinct().Order());
        Assert.All(requests, r => Assert.NotNull(r.EmailSealed));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.ClientId == tenant.ClientId)));

        // the purge destroyed the client's keys, but not the requests' own: the outbox delivers them, retried as usual
        Assert.Equal(new DeliverErasures.Outcome(2, 0, 2, 0), await app.DeliverErasuresAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DeliverErasures.Outcome(2, 0, 0, 0), await app.DeliverErasuresAsync());
        Assert.Contains(vendors.Received, r => r.Contains("Jane.Doe@Example.com", StringComparison.Ordinal) && r.StartsWith("api ", StringComparison.Ordinal));
        Assert.Contains(vendors.Received, r => r.Contains("john.roe@example.org", StringComparison.Ordinal) && r.StartsWith("webhook ", StringComparison.Ordinal));
        var receipts = await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Assert.All(receipts, r => Assert.Equal("confirmed", r.Status));
        Assert.All(receipts, r => Assert.Null(r.EmailSealed));
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "PurgeClientAskedSubProcessors" && e.ResourceId == tenant.ClientId.ToString())));
        // run again (a purge cut short is finished by the next run): nobody is asked twice
        await app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().HandleAsync(tenant.ClientId, default));
        Assert.Equal(4, await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().CountAsync()));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_SSRF_a_connector_only_calls_allowed_hosts_when_recorded_and_again_at_call_time(Engine engine)
    {
        await using var vendors = await VendorEmulator.StartAsync(RandomNumberGenerator.GetBytes(32));
        await using var app = await SubProcessorFixture.StartAsync(engine, s => s["Steward:SubProcessors:ConnectorSecrets:vendor"] = VendorEmulator.Token);
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("Declarative Vendor", "DE"));
        var dpo = await app.DpoAsync();
        // the cloud metadata service, another loopback name, a lookup to an internal host: refused when recorded, with the setting named
        foreach (var spec in new object[]
                 {
                     new { connector = "webhook", connectorSpec = new { url = "http://169.254.169.254/latest/meta-data" } },
                     new { connector = "http", connectorSpec = new { url = "http://localhost:5432/erase" } },
                     new { connector = "http", connectorSpec = new { url = vendors.BaseUrl + "/api/erase", lookup = new { method = "GET", url = "http://10.0.0.7/users?email={emailUrl}", idPath = "id" } } },
                 })
        {
            var refused = await dpo.PutAsJsonAsync($"/v1/admin/subprocessors/{ids[0]}/evidence", spec);
            await refused.AssertProblemAsync(400);
            Assert.Contains("Steward:SubProcessors:AllowedHosts", await refused.Content.ReadAsStringAsync());
        }
        await app.RecordEvidenceAsync(ids[0], new()
        {
            ["connector"] = "http",
            ["connectorSpec"] = new { url = vendors.BaseUrl + "/api/erase", headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {secret:vendor}" }, body = """{"email":"{emailJson}"}""" },
        });
        // a spec that reaches the database another way (a restore, an older version) is checked again before the call
        await app.WithDbAsync(async (db, _) => await db.SubProcessors.Where(s => s.Id == ids[0])
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ConnectorSpec, """{"url":"http://169.254.169.254/latest/meta-data"}""")));
        var tenant = await app.SignUpAsync();
        var contactId = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{contactId}/erase", null)).StatusCode);
        Assert.Equal(new DeliverErasures.Outcome(0, 0, 1, 0), await app.DeliverErasuresAsync());
        var progress = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/erasures/{contactId}");
        Assert.StartsWith("refused: 169.254.169.254 is not an allowed connector host", Vendor(progress, "Declarative Vendor").GetProperty("lastResponse").GetString());
        Assert.Empty(vendors.Received);
    }

    private static JsonElement Vendor(JsonElement progress, string name) =>
        progress.GetProperty("vendors").EnumerateArray().Single(v => v.GetProperty("subProcessor").GetString() == name);
}
