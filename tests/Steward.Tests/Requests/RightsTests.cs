using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Contacts;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Requests;

/// <summary>Rectification, restriction and objection end to end through HTTP (Arts 16, 18, 19, 21).</summary>
public sealed class RightsTests
{
    private const string JaneEmail = "jane.doe@example.com";

    private static Task<StewardApp> StartAsync(Engine engine) => StewardApp.StartAsync(engine, s =>
    {
        s["Steward:Requests:Recipients:0"] = "Mailchimp";
        s["Steward:Requests:Recipients:1"] = "HubSpot";
    });

    private static async Task<JsonElement> VerifiedAsync(StewardApp.Tenant tenant, string type, string email)
    {
        var request = await RequestTests.CreateRequestAsync(tenant, new { type, emails = new[] { email } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, request, "verified")).StatusCode);
        return request;
    }

    private static async Task<HttpResponseMessage> FulfilAsync(StewardApp.Tenant tenant, JsonElement request, object body)
    {
        var response = await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/fulfilment", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return response;
    }

    private static async Task<Guid> DefineWidgetAsync(StewardApp.Tenant tenant)
    {
        var response = await tenant.Http.PostAsJsonAsync(tenant.Base + "/widgets", new
        {
            name = "Sign-up",
            fields = new[] { "email", "firstName" },
            purposes = new object[]
            {
                new { key = "newsletter", text = "Send me the newsletter", required = false },
                new { key = "terms", text = "I accept the terms of the service", required = false, marketing = false },
            },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetGuid();
    }

    private static Task<HttpResponseMessage> SubmitAsync(StewardApp app, Guid widget, string email, object consents) =>
        app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email, firstName = "Jane" }, consents });

    [Theory, ClassData(typeof(Engines))]
    public async Task Art16_Art19_a_rectification_changes_the_fields_keeps_who_and_when_not_the_old_values_and_tells_each_recipient(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var contactId = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var request = await VerifiedAsync(tenant, "rectification", JaneEmail);

        var done = await (await FulfilAsync(tenant, request, new { changes = new { lastName = "Doe-Smith", city = (string?)null } })).JsonAsync();
        var record = done.GetProperty("certificate");
        Assert.Equal(["city", "lastName"], record.GetProperty("fieldsChanged").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("not kept", record.GetProperty("previousValues").GetString());
        Assert.Equal("api-key", record.GetProperty("by").GetProperty("actorType").GetString());
        Assert.Equal(app.Clock.GetUtcNow(), record.GetProperty("rectifiedAt").GetDateTimeOffset());
        Assert.Equal(["Mailchimp", "HubSpot"], record.GetProperty("propagation").EnumerateArray().Select(p => p.GetProperty("to").GetString()));
        Assert.All(record.GetProperty("propagation").EnumerateArray(), p => Assert.Equal("pending", p.GetProperty("status").GetString()));
        Assert.DoesNotContain("Copenhagen", record.GetRawText(), StringComparison.Ordinal); // no old value
        Assert.DoesNotContain("Doe-Smith", record.GetRawText(), StringComparison.Ordinal); // no new one either
        Assert.Equal(("completed", "rectified"), (done.GetProperty("request").GetProperty("status").GetString(),
            done.GetProperty("request").GetProperty("steps").EnumerateArray().Last().GetProperty("action").GetString()));

        var contact = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contactId}");
        Assert.Equal("Doe-Smith", contact.GetProperty("lastName").GetString());
        Assert.Equal(JsonValueKind.Null, contact.GetProperty("city").ValueKind);
        var tasks = await app.WithDbAsync((db, _) => db.PropagationTasks.AsNoTracking().ToListAsync(), tenant.ClientId);
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(("rectification", "pending", contactId), (t.Action, t.Status, t.ContactId)));
        Assert.Contains("lastName", Assert.Single(await app.ReadAsync("request-completed"), m => m.To == JaneEmail).Body, StringComparison.Ordinal);

        // a subject names the corrections at the public intake; the client carries them out as asked
        await (await app.Anonymous().PostAsJsonAsync("/v1/public/requests", new { clientId = tenant.ClientId, type = "rectification", emails = new[] { JaneEmail } }))
            .AssertProblemAsync(400);
        var asked = await app.Anonymous().PostAsJsonAsync("/v1/public/requests",
            new { clientId = tenant.ClientId, type = "rectification", emails = new[] { JaneEmail }, changes = new { firstName = "Janet" } });
        var publicId = (await asked.JsonAsync()).GetProperty("requestId").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await PublicRequestTests.VerifyAsync(app, publicId, JaneEmail, await PublicRequestTests.CodeForAsync(app, JaneEmail))).StatusCode);
        var forwarded = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{publicId}");
        Assert.Equal("Janet", forwarded.GetProperty("changes").GetProperty("firstName").GetString());
        Assert.Equal(HttpStatusCode.OK, (await FulfilAsync(tenant, forwarded, new { })).StatusCode);
        Assert.Equal("Janet", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contactId}")).GetProperty("firstName").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art18_a_restricted_contact_is_storage_only_read_with_a_recorded_reason_and_lifted_only_after_the_subject_is_told(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineWidgetAsync(tenant);
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(app, widget, JaneEmail, new { newsletter = true })).StatusCode);
        var contactId = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email={JaneEmail}")).GetProperty("items")[0].GetProperty("id").GetGuid();

        var done = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "restriction", JaneEmail), new { ground = "accuracy-contested" })).JsonAsync();
        Assert.Equal("accuracy-contested", done.GetProperty("certificate").GetProperty("ground").GetString());
        Assert.Equal(2, done.GetProperty("certificate").GetProperty("propagation").GetArrayLength());

        // no processing but storage: no widget update, no change, no export to recipients, no marketing
        await (await SubmitAsync(app, widget, JaneEmail, new { newsletter = true, terms = true })).AssertProblemAsync(409);
        await (await tenant.Http.PatchAsJsonAsync($"{tenant.Base}/contacts/{contactId}", new { firstName = "J" })).AssertProblemAsync(409);
        var stored = await app.WithDbAsync((db, _) => db.Contacts.AsNoTracking().SingleAsync(c => c.Id == contactId), tenant.ClientId);
        Assert.NotNull(Restriction.Check(stored, Restriction.Use.RecipientExport));
        Assert.NotNull(Restriction.Check(stored, Restriction.Use.Marketing));
        Assert.Null(Restriction.Check(stored, Restriction.Use.Storage));
        Assert.Single(await app.WithDbAsync((db, _) => db.ConsentEvents.AsNoTracking().ToListAsync(), tenant.ClientId)); // the refused submission added none

        // reads only with a reason, which is recorded; a list shows it is there and withholds the values
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).AssertProblemAsync(403);
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}/consents")).AssertProblemAsync(403);
        var listed = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email={JaneEmail}")).GetProperty("items")[0];
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("email").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("restrictedAt").ValueKind);
        using (var read = new HttpRequestMessage(HttpMethod.Get, $"{tenant.Base}/contacts/{contactId}"))
        {
            read.Headers.Add("X-Access-Reason", "Checking the address the subject disputes");
            var response = await tenant.Http.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Jane", (await response.JsonAsync()).GetProperty("firstName").GetString());
        }
        var reads = await app.WithDbAsync((db, _) => db.RestrictedReads.AsNoTracking().ToListAsync(), tenant.ClientId);
        Assert.Equal(("GetContact", "api-key"), (Assert.Single(reads).Action, reads[0].ActorType));
        Assert.True(reads[0].ReasonSealed.AsSpan().IndexOf("Checking"u8) < 0); // sealed, not in clear

        // the subject's own rectification still goes through (Art. 18(1)(a): accuracy checked, then corrected)
        Assert.Equal(HttpStatusCode.OK, (await FulfilAsync(tenant, await VerifiedAsync(tenant, "rectification", JaneEmail), new { changes = new { firstName = "Janet" } })).StatusCode);

        // lifting: the subject is told first, and the lift waits for the notice period
        await (await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{contactId}/restriction")).AssertProblemAsync(409);
        var notice = await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/contacts/{contactId}/restriction/lift-notice", new { reason = "The address was checked and corrected." })).JsonAsync();
        Assert.Equal(app.Clock.GetUtcNow().AddHours(24), notice.GetProperty("liftableAt").GetDateTimeOffset());
        Assert.Contains("checked and corrected", Assert.Single(await app.ReadAsync("restriction-lift-notice"), m => m.To == JaneEmail).Body, StringComparison.Ordinal);
        app.Clock.Advance(TimeSpan.FromHours(23));
        await (await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{contactId}/restriction")).AssertProblemAsync(409);
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{contactId}/restriction")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(app, widget, JaneEmail, new { terms = true })).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art21_an_objection_withdraws_every_marketing_consent_and_suppresses_the_subject_until_it_confirms_a_fresh_consent(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineWidgetAsync(tenant);
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(app, widget, JaneEmail, new { newsletter = true, terms = true })).StatusCode);
        var contactId = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email={JaneEmail}")).GetProperty("items")[0].GetProperty("id").GetGuid();

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var done = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "objection", JaneEmail), new { })).JsonAsync();
        var record = done.GetProperty("certificate");
        Assert.Equal(["newsletter"], record.GetProperty("consentsWithdrawn").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["terms"], record.GetProperty("consentsKept").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(1, record.GetProperty("identitiesSuppressed").GetInt32()); // the request's address is the contact's
        var history = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contactId}/consents")).EnumerateArray().ToList();
        Assert.Equal(("withdrawn", "objection"), (history.Last(h => h.GetProperty("purpose").GetString() == "newsletter").GetProperty("kind").GetString(),
            history.Last(h => h.GetProperty("purpose").GetString() == "newsletter").GetProperty("method").GetString()));
        Assert.Equal("given", history.Last(h => h.GetProperty("purpose").GetString() == "terms").GetProperty("kind").GetString());
        var listed = Assert.Single(await app.WithDbAsync((db, _) => db.Suppressions.AsNoTracking().ToListAsync(), tenant.ClientId));
        Assert.Equal(32, listed.Index.Length); // a keyed hash, not the address

        // a later widget submission cannot re-subscribe it: the marketing consent waits for the address to confirm it
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await (await SubmitAsync(app, widget, JaneEmail, new { newsletter = true, terms = true })).JsonAsync();
        Assert.Equal(["newsletter"], again.GetProperty("pendingConfirmation").EnumerateArray().Select(p => p.GetString()));
        Assert.DoesNotContain(again.GetProperty("consents").EnumerateArray(), c => c.GetProperty("purpose").GetString() == "newsletter");
        history = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contactId}/consents")).EnumerateArray().ToList();
        Assert.Equal("withdrawn", history.Last(h => h.GetProperty("purpose").GetString() == "newsletter").GetProperty("kind").GetString());

        var mail = Assert.Single(await app.ReadAsync("resubscribe-confirmation"), m => m.To == JaneEmail);
        var link = System.Text.RegularExpressions.Regex.Match(mail.Body, @"/v1/public/consents/confirm\?token=\S+").Value;
        var page = await app.Anonymous().GetAsync(link);
        Assert.Contains("<button", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var confirmed = await (await app.Anonymous("192.0.2.44").PostAsync(link, null)).JsonAsync();
        Assert.Equal("newsletter", Assert.Single(confirmed.GetProperty("consents").EnumerateArray()).GetProperty("purpose").GetString());
        history = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contactId}/consents")).EnumerateArray().ToList();
        var fresh = history.Last(h => h.GetProperty("purpose").GetString() == "newsletter");
        Assert.Equal(("given", "confirmed-link", "192.0.2.44"), (fresh.GetProperty("kind").GetString(), fresh.GetProperty("method").GetString(), fresh.GetProperty("ipAddress").GetString()));
        Assert.Empty(await app.WithDbAsync((db, _) => db.Suppressions.AsNoTracking().ToListAsync(), tenant.ClientId));

        // someone the client holds nothing about can object too: the address is suppressed before it ever arrives
        var stranger = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "objection", "stranger@example.com"), new { })).JsonAsync();
        Assert.Equal(1, stranger.GetProperty("certificate").GetProperty("identitiesSuppressed").GetInt32());
        var first = await (await SubmitAsync(app, widget, "stranger@example.com", new { newsletter = true })).JsonAsync();
        Assert.Equal(["newsletter"], first.GetProperty("pendingConfirmation").EnumerateArray().Select(p => p.GetString()));

        // nor does a bulk import bring the consent back: the contact comes in, its consents stay out, the report says why
        Assert.Equal(HttpStatusCode.OK, (await FulfilAsync(tenant, await VerifiedAsync(tenant, "objection", "late.objector@example.com"), new { })).StatusCode);
        var held = await (await tenant.Http.PostAsync(tenant.Base + "/contacts/import", new StringContent("""
            email,firstName,consent.newsletter,consentSource,consentDate
            late.objector@example.com,Lea,yes,Fair 2026,2026-10-01
            """, System.Text.Encoding.UTF8, "text/csv"))).JsonAsync();
        Assert.Equal(1, held.GetProperty("imported").GetInt32());
        Assert.Equal((2, "consents"), (held.GetProperty("errors")[0].GetProperty("line").GetInt32(), held.GetProperty("errors")[0].GetProperty("field").GetString()));
        var lea = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=late.objector@example.com")).GetProperty("items")[0].GetProperty("id").GetGuid();
        Assert.Empty((await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{lea}/consents")).EnumerateArray());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art17_an_erased_subject_stays_on_the_suppression_list_and_the_certificate_says_so(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineWidgetAsync(tenant);
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(app, widget, JaneEmail, new { newsletter = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await FulfilAsync(tenant, await VerifiedAsync(tenant, "objection", JaneEmail), new { })).StatusCode);

        var erased = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "erasure", JaneEmail), new { })).JsonAsync();
        var stores = erased.GetProperty("certificate").GetProperty("storesCleared").EnumerateArray().Select(s => s.GetProperty("store").GetString()).ToList();
        Assert.Contains("suppression list", stores);
        Assert.Equal(["Mailchimp", "HubSpot"], erased.GetProperty("certificate").GetProperty("propagation").EnumerateArray().Select(p => p.GetProperty("to").GetString()));
        Assert.Single(await app.WithDbAsync((db, _) => db.Suppressions.AsNoTracking().ToListAsync(), tenant.ClientId));
        var back = await (await SubmitAsync(app, widget, JaneEmail, new { newsletter = true })).JsonAsync();
        Assert.Equal(["newsletter"], back.GetProperty("pendingConfirmation").EnumerateArray().Select(p => p.GetString()));
    }
}
