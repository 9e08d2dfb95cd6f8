using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Steward.Tests.SubProcessors;

/// <summary>
/// Third-party erasure APIs on loopback: an in-house system's signed webhook that fails twice before it succeeds,
/// a vendor that never answers, and a declarative HTTP API that checks its bearer token. Records what it received.
/// </summary>
public sealed class VendorEmulator : IAsyncDisposable
{
    public const string Token = "vendor-token-123";
    private readonly WebApplication _app;
    private int _webhookCalls;

    public ConcurrentQueue<string> Received { get; } = new();
    public ConcurrentQueue<string> BadSignatures { get; } = new();
    public int WebhookCalls => _webhookCalls;
    public string BaseUrl { get; }

    private VendorEmulator(WebApplication app, string baseUrl) { _app = app; BaseUrl = baseUrl; }

    public static async Task<VendorEmulator> StartAsync(byte[] signingKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        VendorEmulator? self = null;
        app.MapPost("/webhook", async (HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(http.Request.Headers["X-Steward-Timestamp"] + "." + body)));
            if (http.Request.Headers["X-Steward-Signature"] != expected) { self!.BadSignatures.Enqueue(body); return Results.StatusCode(401); }
            self!.Received.Enqueue("webhook " + body);
            return Interlocked.Increment(ref self._webhookCalls) <= 2 ? Results.StatusCode(503) : Results.Ok(new { jobId = "wh-job-7" });
        });
        app.MapPost("/hang", async (CancellationToken ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Results.Ok();
        });
        app.MapPost("/api/erase", async (HttpContext http) =>
        {
            if (http.Request.Headers.Authorization != "Bearer " + Token) return Results.StatusCode(401);
            self!.Received.Enqueue("api " + await new StreamReader(http.Request.Body).ReadToEndAsync());
            return Results.Json(new { id = "api-job-42", status = "accepted" }, statusCode: 202);
        });
        // Mailchimp Marketing API 3.0: permanent delete of a list member, HTTP Basic with any user and the API key
        app.MapPost("/3.0/lists/{listId}/members/{subscriberHash}/actions/delete-permanent", (string listId, string subscriberHash, HttpContext http) =>
        {
            if (http.Request.Headers.Authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("anystring:" + Token))) return Results.StatusCode(401);
            self!.Received.Enqueue($"mailchimp {listId} {subscriberHash}");
            return Results.NoContent();
        });
        // HubSpot CRM v3: GDPR delete of a contact by email, private-app bearer token
        app.MapPost("/crm/v3/objects/contacts/gdpr-delete", async (HttpContext http) =>
        {
            if (http.Request.Headers.Authorization != "Bearer " + Token) return Results.StatusCode(401);
            var body = await http.Request.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            if (body.GetProperty("idProperty").GetString() != "email") return Results.BadRequest();
            self!.Received.Enqueue("hubspot " + body.GetProperty("objectId").GetString());
            return Results.NoContent();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new VendorEmulator(app, address);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
