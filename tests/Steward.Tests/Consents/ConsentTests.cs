using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Consents;

public sealed class ConsentTests
{
    public const string NewsletterText = "Send me the monthly newsletter. You can withdraw at any time.";

    public static async Task<Guid> DefineNewsletterAsync(StewardApp.Tenant tenant, string? origin = null)
    {
        var response = await tenant.Http.PostAsJsonAsync(tenant.Base + "/widgets", new
        {
            name = "Newsletter",
            fields = new[] { "email", "firstName" },
            purposes = new object[] { new { key = "newsletter", text = NewsletterText, required = true }, new { key = "offers", text = "Send me partner offers", required = false } },
            allowedOrigins = origin is null ? Array.Empty<string>() : [origin],
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetGuid();
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P03_a_widget_consent_is_recorded_with_server_time_ip_user_agent_widget_version_and_the_exact_text(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineNewsletterAsync(tenant);
        var submitted = await app.Anonymous("198.51.100.8").PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "sub@example.com", firstName = "Sub" }, consents = new { newsletter = true } });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);

        var contact = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=sub@example.com")).GetProperty("items")[0];
        Assert.Equal("widget", contact.GetProperty("source").GetString());
        var history = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contact.GetProperty("id")}/consents");
        var proof = Assert.Single(history.EnumerateArray());
        Assert.Equal("newsletter", proof.GetProperty("purpose").GetString());
        Assert.Equal("given", proof.GetProperty("kind").GetString());
        Assert.Equal(app.Clock.GetUtcNow(), proof.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("198.51.100.8", proof.GetProperty("ipAddress").GetString());
        Assert.Equal("StewardTests/1.0", proof.GetProperty("userAgent").GetString());
        Assert.Equal(widget, proof.GetProperty("widgetId").GetGuid());
        Assert.Equal(1, proof.GetProperty("widgetVersion").GetInt32());
        Assert.Equal(NewsletterText, proof.GetProperty("text").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(NewsletterText))),
            proof.GetProperty("textSha256").GetString());

        // a client-sent time is no part of the contract: refused, nothing stored
        await (await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "late@example.com" }, consents = new { newsletter = true }, at = "2020-01-01T00:00:00Z" })).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P03_a_submission_makes_its_keys_together_the_contacts_under_the_client_and_the_mails_under_the_outbox(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineNewsletterAsync(tenant);
        var vault = app.Services.GetRequiredService<KeyVault>();
        var before = await vault.CountAsync(tenant.ClientId, default);
        var submission = new { fields = new { email = "keys@example.com", firstName = "Kay" }, consents = new { newsletter = true } };
        Assert.Equal(HttpStatusCode.Created, (await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", submission)).StatusCode);

        // the new contact's key is the client's, and opens what it sealed
        Assert.Equal(before + 1, await vault.CountAsync(tenant.ClientId, default));
        var contact = await app.WithDbAsync((db, _) => db.Contacts.AsNoTracking().SingleAsync(), tenant.ClientId);
        using (var key = await vault.OpenAsync(tenant.ClientId, contact.Id, default))
            Assert.Equal("Kay", key!.OpenString("firstName", contact.FirstNameSealed));
        // the mail's key is the outbox's (made in the same commit), and opens the mail
        var mail = Assert.Single(await app.ReadAsync("consent-given"));
        Assert.Equal("keys@example.com", mail.To);
        Assert.Contains(NewsletterText, mail.Body, StringComparison.Ordinal);
        Assert.Null(await vault.OpenAsync(tenant.ClientId, mail.Id, default));

        // a known subject submits again: no new contact key, a new mail with its own
        Assert.Equal(HttpStatusCode.Created, (await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", submission)).StatusCode);
        Assert.Equal(before + 1, await vault.CountAsync(tenant.ClientId, default));
        Assert.Equal(2, (await app.ReadAsync("consent-given")).Count);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P06_a_submission_without_a_json_true_consent_to_a_required_purpose_is_refused_and_stores_nothing(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineNewsletterAsync(tenant);
        var http = app.Anonymous();
        foreach (var consents in new[] { "{}", """{"newsletter":false}""", """{"newsletter":"true"}""", """{"newsletter":1}""", """{"newsletter":null}""", """{"offers":true}""" })
        {
            var body = $$"""{"fields":{"email":"silent@example.com"},"consents":{{consents}}}""";
            await (await http.PostRawAsync($"/v1/public/widgets/{widget}/submissions", body)).AssertProblemAsync(400);
        }
        await (await http.PostRawAsync($"/v1/public/widgets/{widget}/submissions", """{"fields":{"email":"silent@example.com"}}""")).AssertProblemAsync(400);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.ConsentEvents.CountAsync(), tenant.ClientId));

        // the optional purpose left out is simply not consented
        Assert.Equal(HttpStatusCode.Created, (await http.PostRawAsync($"/v1/public/widgets/{widget}/submissions",
            """{"fields":{"email":"silent@example.com"},"consents":{"newsletter":true,"offers":false}}""")).StatusCode);
        var events = await app.WithDbAsync((db, _) => db.ConsentEvents.ToListAsync(), tenant.ClientId);
        Assert.Equal("newsletter", Assert.Single(events).Purpose);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P06_a_consent_purpose_can_never_be_pre_ticked(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        foreach (var option in new[] { "checked", "preTicked", "default", "defaultValue" })
        {
            var body = $$"""{"name":"W","fields":["email"],"purposes":[{"key":"news","text":"News","required":false,"{{option}}":true}]}""";
            await (await tenant.Http.PostRawAsync(tenant.Base + "/widgets", body)).AssertProblemAsync(400);
        }
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Widgets.CountAsync(), tenant.ClientId));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art7_3_a_consent_is_withdrawn_through_its_signed_link_and_the_history_keeps_both_events(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineNewsletterAsync(tenant);
        var receipt = await (await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "w@example.com" }, consents = new { newsletter = true } })).JsonAsync();
        var link = receipt.GetProperty("consents")[0].GetProperty("withdrawUrl").GetString()!;

        // the link opens the console's page with one button, no login, the same token (driven in Chromium by Console/WidgetTests)
        var page = await app.Anonymous().GetAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/console/public/consents/withdraw?token=" + link.Split("token=")[1], page.Headers.Location!.OriginalString);

        app.Clock.Advance(TimeSpan.FromDays(3));
        var withdrawn = await app.Anonymous().PostAsync(link, null);
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsync(link, null)).StatusCode); // again: no harm

        var contact = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=w@example.com")).GetProperty("items")[0];
        var history = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contact.GetProperty("id")}/consents")).EnumerateArray().ToList();
        Assert.Equal(["given", "withdrawn"], history.Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal("link", history[1].GetProperty("method").GetString());
        Assert.Equal(history[0].GetProperty("at").GetDateTimeOffset().AddDays(3), history[1].GetProperty("at").GetDateTimeOffset());

        // a forged or altered token withdraws nothing
        var token = link.Split("token=")[1];
        var forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        await (await app.Anonymous().PostAsync("/v1/public/consents/withdraw?token=" + forged, null)).AssertProblemAsync(404);
        await (await app.Anonymous().PostAsync("/v1/public/consents/withdraw?token=garbage", null)).AssertProblemAsync(404);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P03_a_changed_text_is_a_new_widget_version_and_old_consents_keep_the_text_they_were_given_on(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineNewsletterAsync(tenant);
        await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email = "a@example.com" }, consents = new { newsletter = true } });
        var updated = await tenant.Http.PutAsJsonAsync($"{tenant.Base}/widgets/{widget}", new
        {
            name = "Newsletter",
            fields = new[] { "email" },
            purposes = new[] { new { key = "newsletter", text = "The weekly newsletter", required = true } },
        });
        Assert.Equal(2, (await updated.JsonAsync()).GetProperty("version").GetInt32());
        await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email = "b@example.com" }, consents = new { newsletter = true } });

        async Task<JsonElement> ProofOf(string email)
        {
            var c = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email={email}")).GetProperty("items")[0];
            return (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{c.GetProperty("id")}/consents"))[0];
        }
        Assert.Equal(NewsletterText, (await ProofOf("a@example.com")).GetProperty("text").GetString());
        Assert.Equal("The weekly newsletter", (await ProofOf("b@example.com")).GetProperty("text").GetString());
        Assert.Equal(2, (await ProofOf("b@example.com")).GetProperty("widgetVersion").GetInt32());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task A_widget_answers_cross_origin_requests_only_from_its_allowed_origins(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var widget = await DefineNewsletterAsync(tenant, "https://shop.example");
        var url = $"/v1/public/widgets/{widget}/submissions";

        using var allowed = new HttpRequestMessage(HttpMethod.Options, url) { Headers = { { "Origin", "https://shop.example" } } };
        var ok = await app.Anonymous().SendAsync(allowed);
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal("https://shop.example", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", ok.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Equal("Content-Type", ok.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Contains("Origin", ok.Headers.Vary);

        // what the script draws, readable by the allowed site only: the texts and fields, no client data
        using var read = new HttpRequestMessage(HttpMethod.Get, $"/v1/public/widgets/{widget}") { Headers = { { "Origin", "https://shop.example" } } };
        var definition = await app.Anonymous().SendAsync(read);
        Assert.Equal("https://shop.example", definition.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var drawn = await definition.JsonAsync();
        Assert.Equal(["email", "firstName"], drawn.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(NewsletterText, drawn.GetProperty("purposes")[0].GetProperty("text").GetString());
        Assert.False(drawn.TryGetProperty("allowedOrigins", out _));
        using var elsewhere = new HttpRequestMessage(HttpMethod.Get, $"/v1/public/widgets/{widget}") { Headers = { { "Origin", "https://evil.example" } } };
        await (await app.Anonymous().SendAsync(elsewhere)).AssertProblemAsync(403);

        using var other = new HttpRequestMessage(HttpMethod.Options, url) { Headers = { { "Origin", "https://evil.example" } } };
        var refused = await app.Anonymous().SendAsync(other);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P03_the_submitter_ip_comes_from_the_connection_and_from_forwarded_headers_only_of_configured_proxies(Engine engine)
    {
        async Task<string?> RecordedIpAsync(StewardApp app)
        {
            var tenant = await app.SignUpAsync();
            var widget = await DefineNewsletterAsync(tenant);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/public/widgets/{widget}/submissions")
            {
                Content = JsonContent.Create(new { fields = new { email = "f@example.com" }, consents = new { newsletter = true } }),
                Headers = { { "X-Forwarded-For", "198.51.100.99" } },
            };
            Assert.Equal(HttpStatusCode.Created, (await app.Anonymous().SendAsync(request)).StatusCode);
            var contact = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=f@example.com")).GetProperty("items")[0];
            return (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contact.GetProperty("id")}/consents"))[0].GetProperty("ipAddress").GetString();
        }

        await using (var direct = await StewardApp.StartAsync(engine))
            Assert.Equal(StewardApp.DefaultIp, await RecordedIpAsync(direct));
        await using var behindProxy = await StewardApp.StartAsync(engine, s => s["Steward:KnownProxies:0"] = StewardApp.DefaultIp);
        Assert.Equal("198.51.100.99", await RecordedIpAsync(behindProxy));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Public_submissions_are_rate_limited_per_ip(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:RateLimits:PublicPerMinute"] = "3");
        var tenant = await app.SignUpAsync();
        var widget = await DefineNewsletterAsync(tenant);
        var http = app.Anonymous("192.0.2.200");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await http.PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
                new { fields = new { email = $"r{i}@example.com" }, consents = new { newsletter = true } })).StatusCode);
        await (await http.PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "r9@example.com" }, consents = new { newsletter = true } })).AssertProblemAsync(429);
        Assert.Equal(HttpStatusCode.Created, (await app.Anonymous("192.0.2.201").PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "r9@example.com" }, consents = new { newsletter = true } })).StatusCode);
    }
}
