using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Clients;

public sealed class SignUpTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P05_signup_without_an_active_acceptance_of_every_current_document_is_refused_and_creates_nothing(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var http = app.Anonymous();
        var cases = new List<Action<Dictionary<string, object?>>>
        {
            b => b["acceptances"] = null,                                                   // no acceptance at all
            b => ((List<Dictionary<string, object?>>)b["acceptances"]!).RemoveAt(0),         // one document missing
            b => ((List<Dictionary<string, object?>>)b["acceptances"]!)[0]["version"] = "2020-01-01", // a stale version
            b => ((List<Dictionary<string, object?>>)b["acceptances"]!)[1]["accepted"] = false,       // declined
            b => ((List<Dictionary<string, object?>>)b["acceptances"]!)[2].Remove("accepted"),        // silence
        };
        foreach (var spoil in cases)
        {
            var body = await app.SignUpBodyAsync();
            spoil(body);
            var problem = await (await http.PostAsJsonAsync("/v1/signup", body)).AssertProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty("acceptances", out _));
        }
        // "accepted": "true" (a string) is not an acceptance either
        var stringly = JsonSerializer.Serialize(await app.SignUpBodyAsync()).Replace("\"accepted\":true", "\"accepted\":\"true\"", StringComparison.Ordinal);
        await (await http.PostRawAsync("/v1/signup", stringly)).AssertProblemAsync(400);

        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Clients.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Acceptances.IgnoreQueryFilters().CountAsync()));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P05_P46_signup_records_each_acceptance_with_server_time_ip_user_agent_document_and_version(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var agreements = await app.Anonymous().GetFromJsonAsync<JsonElement>("/v1/agreements");
        Assert.Equal(["dpa", "gdpr", "privacy-policy"], agreements.EnumerateArray().Select(a => a.GetProperty("document").GetString()!).Order());

        var tenant = await app.SignUpAsync();
        var acceptances = await app.WithDbAsync((db, _) => db.Acceptances.ToListAsync(), tenant.ClientId);
        Assert.Equal(3, acceptances.Count);
        var owner = await app.WithDbAsync((db, _) => db.ClientUsers.SingleAsync(), tenant.ClientId);
        using var key = await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, owner.Id, default);
        foreach (var acceptance in acceptances)
        {
            var agreement = agreements.EnumerateArray().Single(a => a.GetProperty("document").GetString() == acceptance.Document);
            Assert.Equal(agreement.GetProperty("version").GetString(), acceptance.Version);
            Assert.Equal(app.Clock.GetUtcNow(), acceptance.AcceptedAt);
            Assert.Equal("click-through", acceptance.Method);
            Assert.Equal(StewardApp.DefaultIp, key!.OpenString("acceptance.ip", acceptance.IpAddressSealed));
            Assert.Equal("StewardTests/1.0", key.OpenString("acceptance.userAgent", acceptance.UserAgentSealed));
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task The_api_key_is_shown_once_and_stored_only_as_a_hash(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var stored = await app.WithDbAsync((db, _) => db.ApiKeys.SingleAsync(), tenant.ClientId);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(tenant.ApiKey)), stored.Hash);
        Assert.DoesNotContain(tenant.ApiKey[10..], stored.Prefix, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync(tenant.Base)).StatusCode);

        var wrong = app.Anonymous();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", tenant.ApiKey[..^2] + "xx");
        await (await wrong.GetAsync(tenant.Base)).AssertProblemAsync(401);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Signup_refuses_a_second_account_for_the_same_owner_email(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var body = await app.SignUpBodyAsync();
        Assert.Equal(HttpStatusCode.Created, (await app.Anonymous().PostAsJsonAsync("/v1/signup", body)).StatusCode);
        body["ownerEmail"] = ((string)body["ownerEmail"]!).ToUpperInvariant();
        await (await app.Anonymous().PostAsJsonAsync("/v1/signup", body)).AssertProblemAsync(409);
    }
}
