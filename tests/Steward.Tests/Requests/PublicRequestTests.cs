using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Requests;

public sealed partial class PublicRequestTests
{
    public static async Task<Guid> SubmitAsync(StewardApp app, StewardApp.Tenant tenant, string type, params string[] emails)
    {
        var response = await app.Anonymous().PostAsJsonAsync("/v1/public/requests", Canaries.PersonalIn(new { clientId = tenant.ClientId, type, emails }));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.JsonAsync()).GetProperty("requestId").GetGuid();
    }

    /// <summary>The code in the newest verification mail to this address.</summary>
    public static async Task<string> CodeForAsync(StewardApp app, string email) =>
        CodeLine().Match((await app.ReadAsync("verification-code")).Last(m => m.To == email).Body).Groups[1].Value;

    public static Task<HttpResponseMessage> VerifyAsync(StewardApp app, Guid requestId, string email, string code) =>
        app.Anonymous().PostAsJsonAsync($"/v1/public/requests/{requestId}/verification", new { email, code });

    public static async Task<Guid> SubmitVerifiedAsync(StewardApp app, StewardApp.Tenant tenant, string type, string email)
    {
        var id = await SubmitAsync(app, tenant, type, email);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(app, id, email, await CodeForAsync(app, email))).StatusCode);
        return id;
    }

    [GeneratedRegex(@"^\s+(\d{8})$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_6_every_email_on_a_public_request_is_confirmed_by_a_code_before_anything_is_disclosed_or_changed(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();

        var submitted = await app.Anonymous().PostAsJsonAsync("/v1/public/requests",
            new { clientId = tenant.ClientId, type = "access", emails = new[] { "jane.doe@example.com", "jane@home.example" } });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var text = await submitted.Content.ReadAsStringAsync();
        Assert.DoesNotContain(contact.ToString(), text, StringComparison.OrdinalIgnoreCase); // whether the client holds data: not said
        var id = (await submitted.JsonAsync()).GetProperty("requestId").GetGuid();

        // one code per address, each sent to that address only, none stored in clear
        var mails = await app.ReadAsync("verification-code");
        Assert.Equal(["jane.doe@example.com", "jane@home.example"], mails.Select(m => m.To).Order(StringComparer.Ordinal));
        Assert.All(mails, m => Assert.Equal(tenant.ClientId, m.ClientId));
        var first = await CodeForAsync(app, "jane.doe@example.com");
        var second = await CodeForAsync(app, "jane@home.example");
        Assert.Matches("^[0-9]{8}$", first);
        var stored = await app.WithDbAsync((db, _) => db.RequestVerifications.AsNoTracking().ToListAsync(), tenant.ClientId);
        Assert.All(stored, v => Assert.Equal(32, v.CodeHash.Length));
        Assert.DoesNotContain(stored, v => System.Text.Encoding.UTF8.GetString(v.CodeHash).Contains(first, StringComparison.Ordinal));

        // the client sees it, received and unconfirmed, and cannot move it on
        var seen = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{id}");
        Assert.Equal(("received", "subject", false), (seen.GetProperty("status").GetString(), seen.GetProperty("source").GetString(), seen.GetProperty("identitiesVerified").GetBoolean()));
        Assert.Equal(contact, seen.GetProperty("contactId").GetGuid());
        await (await RequestTests.MoveAsync(tenant, seen, "verified")).AssertProblemAsync(409);
        await (await RequestTests.MoveAsync(tenant, seen, "in_progress")).AssertProblemAsync(409);

        // a code confirms only its own address
        await (await VerifyAsync(app, id, "jane@home.example", first)).AssertProblemAsync(400);
        await (await VerifyAsync(app, id, "someone@else.example", first)).AssertProblemAsync(400);
        var one = await (await VerifyAsync(app, id, "Jane.Doe@Example.com", first)).JsonAsync();
        Assert.Equal(("received", 1, 1), (one.GetProperty("status").GetString(), one.GetProperty("confirmed").GetInt32(), one.GetProperty("pending").GetInt32()));
        await (await RequestTests.MoveAsync(tenant, seen, "verified")).AssertProblemAsync(409); // one of two is not enough
        Assert.Empty(await app.ReadAsync("request-forwarded"));

        var both = await (await VerifyAsync(app, id, "jane@home.example", second)).JsonAsync();
        Assert.Equal(("verified", 2, 0), (both.GetProperty("status").GetString(), both.GetProperty("confirmed").GetInt32(), both.GetProperty("pending").GetInt32()));
        var verified = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{id}");
        Assert.True(verified.GetProperty("identitiesVerified").GetBoolean());
        Assert.Equal(["created", "verified", "forwarded"], verified.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("action").GetString()));
        Assert.Equal("public", verified.GetProperty("steps")[1].GetProperty("actorType").GetString());

        // confirming again is harmless, and still needs the right code
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(app, id, "jane@home.example", second)).StatusCode);
        await (await VerifyAsync(app, id, "jane@home.example", "00000000")).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_6_codes_expire_and_a_few_wrong_attempts_end_them(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Requests:MaxCodeAttempts"] = "3");
        var tenant = await app.SignUpAsync();
        var id = await SubmitAsync(app, tenant, "erasure", "guess@example.com");
        var code = await CodeForAsync(app, "guess@example.com");
        var wrong = code == "12345678" ? "87654321" : "12345678";
        for (var i = 0; i < 3; i++) await (await VerifyAsync(app, id, "guess@example.com", wrong)).AssertProblemAsync(400);
        await (await VerifyAsync(app, id, "guess@example.com", code)).AssertProblemAsync(410); // the right code, too late
        Assert.Equal(3, await app.WithDbAsync((db, _) => db.RequestVerifications.Where(v => v.RequestId == id).Select(v => v.Attempts).SingleAsync(), tenant.ClientId));

        var later = await SubmitAsync(app, tenant, "erasure", "slow@example.com");
        var slowCode = await CodeForAsync(app, "slow@example.com");
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        await (await VerifyAsync(app, later, "slow@example.com", slowCode)).AssertProblemAsync(410);
        Assert.Equal("received", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{later}")).GetProperty("status").GetString());

        // no such client, no such request; a request needs an address to confirm
        await (await app.Anonymous().PostAsJsonAsync("/v1/public/requests", new { clientId = Guid.NewGuid(), type = "access", emails = new[] { "a@example.com" } })).AssertProblemAsync(404);
        await (await VerifyAsync(app, Guid.NewGuid(), "a@example.com", "12345678")).AssertProblemAsync(404);
        await (await app.Anonymous().PostAsJsonAsync("/v1/public/requests", new { clientId = tenant.ClientId, type = "access", phone = "+4512345678" })).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_2_public_requests_are_rate_limited_per_ip(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:RateLimits:PublicPerMinute"] = "2");
        var tenant = await app.SignUpAsync();
        var http = app.Anonymous("198.51.100.50");
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync("/v1/public/requests", new { clientId = tenant.ClientId, type = "access", emails = new[] { $"r{i}@example.com" } })).StatusCode);
        await (await http.PostAsJsonAsync("/v1/public/requests", new { clientId = tenant.ClientId, type = "access", emails = new[] { "r3@example.com" } })).AssertProblemAsync(429);
        Assert.Equal(2, (await app.ReadAsync("verification-code")).Count);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P42_in_forward_mode_a_verified_request_goes_to_the_client_and_the_subject_is_told(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync("Personizely Client");
        var id = await SubmitVerifiedAsync(app, tenant, "erasure", "fwd@example.com");

        var request = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{id}");
        Assert.Equal(("verified", "client"), (request.GetProperty("status").GetString(), request.GetProperty("handledBy").GetString()));
        var toClient = Assert.Single(await app.ReadAsync("request-forwarded"));
        Assert.EndsWith("@client.example", toClient.To, StringComparison.Ordinal); // the client's owner
        Assert.Contains(id.ToString(), toClient.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("fwd@example.com", toClient.Body, StringComparison.Ordinal);
        var toSubject = Assert.Single(await app.ReadAsync("request-acknowledged"));
        Assert.Equal("fwd@example.com", toSubject.To);
        Assert.Contains("passed it to Personizely Client", toSubject.Body, StringComparison.Ordinal);
        Assert.Contains("2 December 2026", toSubject.Body, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G42_in_direct_mode_the_processor_carries_out_unsubscribe_rectification_erasure_and_restriction_at_once_reports_each_and_forwards_access(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var settings = await tenant.Http.PutAsJsonAsync(tenant.Base + "/requests/settings", new { mode = "direct" });
        Assert.Equal("direct", (await settings.JsonAsync()).GetProperty("mode").GetString());
        Assert.Equal("direct", (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/requests/settings")).GetProperty("mode").GetString());
        var done = new Dictionary<string, string> { ["objection"] = "objection-applied", ["rectification"] = "rectified", ["erasure"] = "erased", ["restriction"] = "restricted" };
        foreach (var type in done.Keys.Append("access").Append("portability"))
            await tenant.CreateContactAsync(new { email = $"{type}@example.com", firstName = "Before" });

        foreach (var type in done.Keys.Append("access").Append("portability"))
        {
            var email = $"{type}@example.com";
            var submitted = await app.Anonymous().PostAsJsonAsync("/v1/public/requests", new
            {
                clientId = tenant.ClientId,
                type,
                emails = new[] { email },
                changes = type == "rectification" ? new { firstName = "After" } : null,
            });
            var id = (await submitted.JsonAsync()).GetProperty("requestId").GetGuid();
            var verified = await (await VerifyAsync(app, id, email, await CodeForAsync(app, email))).JsonAsync();
            var request = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{id}");
            var steps = request.GetProperty("steps").EnumerateArray().ToList();
            if (done.TryGetValue(type, out var action))
            {
                // carried out at once by the processor, on the client's standing permission
                Assert.Equal(("completed", "processor"), (verified.GetProperty("status").GetString(), request.GetProperty("handledBy").GetString()));
                Assert.Equal(["created", "verified", "routed-direct", action], steps.Select(s => s.GetProperty("action").GetString()));
                Assert.Equal("processor", steps[^1].GetProperty("actorType").GetString());
            }
            else
            {
                Assert.Equal(("verified", "client", "forwarded"), (request.GetProperty("status").GetString(), request.GetProperty("handledBy").GetString(),
                    steps[^1].GetProperty("action").GetString()));
            }
        }
        Assert.Equal("After", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=rectification@example.com")).GetProperty("items")[0].GetProperty("firstName").GetString());
        Assert.Empty((await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=erasure@example.com")).GetProperty("items").EnumerateArray());
        // each direct one is announced and then reported to the client, without a personal value; the others are forwarded
        Assert.Equal(4, (await app.ReadAsync("request-direct")).Count);
        var reports = await app.ReadAsync("request-report");
        Assert.Equal(4, reports.Count);
        Assert.All(reports, r => Assert.DoesNotContain("@example.com", r.Body, StringComparison.Ordinal));
        Assert.Equal(2, (await app.ReadAsync("request-forwarded")).Count);

        // nothing held to restrict: the request waits for the client, verified
        var nobody = await SubmitVerifiedAsync(app, tenant, "restriction", "nobody@example.com");
        Assert.Equal("verified", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{nobody}")).GetProperty("status").GetString());
    }
}
