using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Notifications;
using Steward.SubProcessors;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.SubProcessors;

/// <summary>Helpers for the sub-processor tests: the admin client, proposals, notice delivery, activation.</summary>
public static class SubProcessorFixture
{
    public static Task<StewardApp> StartAsync(Engine engine, Action<Dictionary<string, string?>>? configure = null) =>
        StewardApp.StartAsync(engine, s =>
        {
            // the vendor emulators listen on loopback: allowed here, never by default (SSRF guard)
            s["Steward:SubProcessors:AllowedHosts:0"] = "127.0.0.1";
            configure?.Invoke(s);
        });

    /// <summary>An app holding the API tokens the emulators expect: the Zendesk, Intercom and Segment presets', and "vendor" for a declarative spec.</summary>
    public static Task<StewardApp> StartWithEmulatorSecretsAsync(Engine engine) => StartAsync(engine, s =>
    {
        s["Steward:SubProcessors:ConnectorSecrets:zendesk"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("agent@client.example/token:" + VendorEmulator.Token));
        s["Steward:SubProcessors:ConnectorSecrets:intercom"] = VendorEmulator.Token;
        s["Steward:SubProcessors:ConnectorSecrets:segment"] = VendorEmulator.Token;
        s["Steward:SubProcessors:ConnectorSecrets:vendor"] = VendorEmulator.Token;
    });

    public static Dictionary<string, object?> Proposal(string name, params string[] countries) => new()
    {
        ["name"] = name,
        ["website"] = "https://" + name.ToLowerInvariant().Replace(' ', '-') + ".example",
        ["purpose"] = "Sends newsletters for the client",
        ["dataCategories"] = "contact details",
        ["countries"] = countries,
        ["contactEmail"] = "privacy@" + name.ToLowerInvariant().Replace(' ', '-') + ".example",
    };

    public static async Task<JsonElement> ProposeAsync(this StewardApp app, Dictionary<string, object?> proposal)
    {
        var response = await (await app.DpoAsync()).PostAsJsonAsync("/v1/admin/subprocessors", proposal);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>Everything the operator must have on file before activation (P-12, P-37, G-14), plus any extra fields.</summary>
    public static async Task RecordEvidenceAsync(this StewardApp app, Guid subProcessorId, Dictionary<string, object?>? extra = null)
    {
        var evidence = new Dictionary<string, object?>
        {
            ["dpaReference"] = "DPA-2026-11 signed",
            ["equivalentTerms"] = true,
            ["dueDiligenceAt"] = app.Clock.GetUtcNow(),
            ["lastReviewedAt"] = app.Clock.GetUtcNow(),
            ["confirmed"] = true,
        };
        foreach (var (k, v) in extra ?? []) evidence[k] = v;
        var response = await (await app.DpoAsync()).PutAsJsonAsync($"/v1/admin/subprocessors/{subProcessorId}/evidence", evidence);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<DeliverNotifications.Outcome> DeliverMailAsync(this StewardApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DeliverNotifications>().HandleAsync(500, default);
    }

    public static async Task<DeliverErasures.Outcome> DeliverErasuresAsync(this StewardApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DeliverErasures>().HandleAsync(50, default);
    }

    public static async Task<HttpResponseMessage> ActivateAsync(this StewardApp app, Guid changeId) =>
        await (await app.DpoAsync()).PostAsync($"/v1/admin/subprocessor-changes/{changeId}/activate", null);

    /// <summary>Proposed, evidenced, notified, 30 days on, active: a sub-processor that receives data.</summary>
    public static async Task<List<Guid>> ActivateNewAsync(this StewardApp app, params Dictionary<string, object?>[] proposals)
    {
        var changes = new List<(Guid Change, Guid SubProcessor)>();
        foreach (var p in proposals)
        {
            var change = await app.ProposeAsync(p);
            changes.Add((change.GetProperty("id").GetGuid(), change.GetProperty("subProcessorId").GetGuid()));
        }
        foreach (var (_, id) in changes) await app.RecordEvidenceAsync(id);
        await app.DeliverMailAsync();
        app.Clock.Advance(TimeSpan.FromDays(30));
        foreach (var (change, _) in changes) Assert.Equal(HttpStatusCode.OK, (await app.ActivateAsync(change)).StatusCode);
        return changes.Select(c => c.SubProcessor).ToList();
    }

    public static async Task<JsonElement> LocationsAsync(this StewardApp.Tenant tenant) =>
        await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/data-locations");

    public static JsonElement Location(this JsonElement locations, string name) =>
        locations.GetProperty("subProcessors").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
}
