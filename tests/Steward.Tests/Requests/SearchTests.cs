using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Steward.Tests.Consents;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Requests;

public sealed class SearchTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P02_the_client_finds_a_subject_by_email_phone_or_id_and_sees_everything_held_about_it_in_one_response(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync("Acme Shop");
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "plan", type = "text", required = false } });
        var contactId = (await tenant.CreateContactAsync(new Dictionary<string, object?>(ContactTests.Jane) { ["custom"] = new { plan = "gold" } })).GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email = "jane.doe@example.com" }, consents = new { newsletter = true } });
        var request = await RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "jane.doe@example.com" } });

        foreach (var query in new[] { "email=JANE.DOE@example.com", "phone=%2B4512345678", $"contactId={contactId}" })
        {
            var found = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/subjects?{query}");
            Assert.True(found.GetProperty("found").GetBoolean(), query);
            var subject = Assert.Single(found.GetProperty("subjects").EnumerateArray());
            Assert.Equal(contactId, subject.GetProperty("subject").GetProperty("id").GetGuid());
            Assert.Equal(("Jane", "gold"), (subject.GetProperty("subject").GetProperty("firstName").GetString(),
                subject.GetProperty("subject").GetProperty("custom").GetProperty("plan").GetString()));
            var consent = Assert.Single(subject.GetProperty("consents").EnumerateArray());
            Assert.Equal(("newsletter", "203.0.113.7"), (consent.GetProperty("purpose").GetString(), consent.GetProperty("ipAddress").GetString()));
            Assert.Equal(request.GetProperty("id").GetGuid(), Assert.Single(subject.GetProperty("requests").EnumerateArray()).GetProperty("id").GetGuid());
            Assert.Contains(subject.GetProperty("auditEvents").EnumerateArray(), e => e.GetProperty("action").GetString() == "CreateContact");
            Assert.Equal("Acme Shop", subject.GetProperty("information").GetProperty("controller").GetString());
            Assert.False(found.GetProperty("suppressed").GetBoolean());
        }

        var nobody = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/subjects?email=nobody@example.com");
        Assert.False(nobody.GetProperty("found").GetBoolean());
        Assert.Empty(nobody.GetProperty("subjects").EnumerateArray());
        await (await tenant.Http.GetAsync($"{tenant.Base}/subjects")).AssertProblemAsync(400);
        await (await tenant.Http.GetAsync($"{tenant.Base}/subjects?email=a@example.com&phone=123")).AssertProblemAsync(400);

        // an identity the client holds nothing about can still be on its suppression list
        var objection = await RequestTests.CreateRequestAsync(tenant, new { type = "objection", emails = new[] { "stranger@example.com" } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, objection, "verified")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{objection.GetProperty("id")}/fulfilment", new { })).StatusCode);
        var stranger = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/subjects?email=stranger@example.com");
        Assert.Equal((false, true), (stranger.GetProperty("found").GetBoolean(), stranger.GetProperty("suppressed").GetBoolean()));

        // another client finds nothing of it
        var other = await app.SignUpAsync();
        await (await other.Http.GetAsync($"{tenant.Base}/subjects?contactId={contactId}")).AssertProblemAsync(404);
        Assert.False((await other.Http.GetFromJsonAsync<JsonElement>($"{other.Base}/subjects?contactId={contactId}")).GetProperty("found").GetBoolean());
    }
}
