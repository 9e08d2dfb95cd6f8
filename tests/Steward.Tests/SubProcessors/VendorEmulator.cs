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
/// a vendor that never answers, a declarative HTTP API that checks its bearer token, and the documented GDPR-deletion
/// APIs of Mailchimp, HubSpot, Zendesk, Intercom and Segment (paths, authentication and answers as their public API
/// references describe them). Records what it received.
/// </summary>
public sealed class VendorEmulator : IAsyncDisposable
{
    public const string Token = "vendor-token-123";
    private readonly WebApplication _app;
    private int _webhookCalls;
    private int _zendeskSearches;
    private int _zendeskPermanentDeletes;
    private int _segmentPolls;
    private int _loopPages;
    private readonly ConcurrentDictionary<long, bool> _zendeskSoftDeleted = new();

    public ConcurrentQueue<string> Received { get; } = new();
    public ConcurrentQueue<string> BadSignatures { get; } = new();
    public int WebhookCalls => _webhookCalls;
    public int ZendeskSearches => _zendeskSearches;
    public int LoopPages => _loopPages;
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
        // Zendesk Support API v2: search by email, soft delete, then permanent delete (which first answers 429 Retry-After: 120)
        const long zendeskUser = 9001;
        bool ZendeskAuth(HttpContext http) => http.Request.Headers.Authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("agent@client.example/token:" + Token));
        app.MapGet("/api/v2/users/search.json", (string query, HttpContext http) =>
        {
            if (!ZendeskAuth(http)) return Results.StatusCode(401);
            Interlocked.Increment(ref self!._zendeskSearches);
            // soft-deleted users no longer appear in a search
            var found = query.Equals("email:jane.doe@example.com", StringComparison.OrdinalIgnoreCase) && !self._zendeskSoftDeleted.ContainsKey(zendeskUser);
            return Results.Json(new { users = found ? new[] { new { id = zendeskUser, email = "jane.doe@example.com" } } : [], count = found ? 1 : 0, next_page = (string?)null });
        });
        // a user's identities, two a page, the next page as a full link (Zendesk's offset pagination)
        app.MapGet("/api/v2/users/{id:long}/identities.json", (long id, int? page, HttpContext http) =>
        {
            if (!ZendeskAuth(http)) return Results.StatusCode(401);
            if (id != zendeskUser) return Results.NotFound(new { error = "RecordNotFound" });
            var all = new[] { ("email", "jane.doe@example.com"), ("phone_number", "+4512345678"), ("twitter", "janedoe") };
            var at = page ?? 1;
            var next = at * 2 < all.Length ? $"{http.Request.Scheme}://{http.Request.Host}/api/v2/users/{id}/identities.json?page={at + 1}" : null;
            return Results.Json(new { identities = all.Skip((at - 1) * 2).Take(2).Select((x, i) => new { id = at * 10 + i, user_id = id, type = x.Item1, value = x.Item2 }), next_page = next, count = all.Length });
        });
        app.MapDelete("/api/v2/users/{id:long}", (long id, HttpContext http) =>
        {
            if (!ZendeskAuth(http)) return Results.StatusCode(401);
            if (id != zendeskUser || !self!._zendeskSoftDeleted.TryAdd(id, true)) return Results.NotFound(new { error = "RecordNotFound" });
            self.Received.Enqueue($"zendesk soft-deleted {id}");
            return Results.Ok(new { user = new { id, active = false } });
        });
        app.MapDelete("/api/v2/deleted_users/{id:long}", (long id, HttpContext http) =>
        {
            if (!ZendeskAuth(http)) return Results.StatusCode(401);
            if (!self!._zendeskSoftDeleted.ContainsKey(id)) return Results.NotFound(new { error = "RecordNotFound" });
            if (Interlocked.Increment(ref self._zendeskPermanentDeletes) == 1)
            {
                http.Response.Headers.RetryAfter = "120";
                return Results.StatusCode(429);
            }
            self.Received.Enqueue($"zendesk permanently-deleted {id}");
            return Results.Ok(new { deleted_user = new { id, name = "Permanently Deleted User" } });
        });
        // Intercom REST API 2.x: search contacts by email, then a user delete request with the contact's id
        bool IntercomAuth(HttpContext http) => http.Request.Headers.Authorization == "Bearer " + Token && http.Request.Headers.ContainsKey("Intercom-Version");
        app.MapPost("/contacts/search", async (HttpContext http) =>
        {
            if (!IntercomAuth(http)) return Results.StatusCode(401);
            var body = await http.Request.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            var query = body.GetProperty("query");
            if (query.GetProperty("field").GetString() != "email" || query.GetProperty("operator").GetString() != "=") return Results.BadRequest();
            var found = string.Equals(query.GetProperty("value").GetString(), "jane.doe@example.com", StringComparison.OrdinalIgnoreCase);
            // two matches (a user and a lead), one a page: the cursor of the next is pages.next.starting_after
            var second = body.TryGetProperty("pagination", out var pagination) && pagination.TryGetProperty("starting_after", out var after) && after.GetString() == "WzE3MDk1NjA";
            if (!found) return Results.Json(new { type = "list", data = Array.Empty<object>(), total_count = 0 });
            return second
                ? Results.Json(new { type = "list", data = new[] { new { type = "contact", id = "64f1c0ffef", role = "lead", email = "jane.doe@example.com" } }, total_count = 2, pages = new { type = "pages", page = 2, per_page = 1, total_pages = 2 } })
                : Results.Json(new
                {
                    type = "list",
                    data = new[] { new { type = "contact", id = "64f1c0ffee", role = "user", email = "jane.doe@example.com" } },
                    total_count = 2,
                    pages = new { type = "pages", page = 1, per_page = 1, total_pages = 2, next = new { page = 2, starting_after = "WzE3MDk1NjA" } }
                });
        });
        app.MapPost("/user_delete_requests", async (HttpContext http) =>
        {
            if (!IntercomAuth(http)) return Results.StatusCode(401);
            var id = (await http.Request.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("intercom_user_id").GetString();
            if (id != "64f1c0ffee") return Results.NotFound();
            self!.Received.Enqueue($"intercom delete-request {id}");
            return Results.Ok(new { id = 10 });
        });
        // Segment Public API: a SUPPRESS_WITH_DELETE regulation by userId, then its status (RUNNING once, then FINISHED)
        app.MapPost("/regulations", async (HttpContext http) =>
        {
            if (http.Request.Headers.Authorization != "Bearer " + Token) return Results.StatusCode(401);
            var body = await http.Request.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            if (body.GetProperty("regulationType").GetString() != "SUPPRESS_WITH_DELETE" || body.GetProperty("subjectType").GetString() != "USER_ID") return Results.BadRequest();
            self!.Received.Enqueue("segment regulation " + body.GetProperty("subjectIds")[0].GetString());
            return Results.Json(new { data = new { regulateId = "reg-2Nq7" } });
        });
        app.MapGet("/regulations/{regulateId}", (string regulateId, HttpContext http) =>
        {
            if (http.Request.Headers.Authorization != "Bearer " + Token) return Results.StatusCode(401);
            if (regulateId != "reg-2Nq7") return Results.NotFound();
            var status = Interlocked.Increment(ref self!._segmentPolls) == 1 ? "RUNNING" : "FINISHED";
            return Results.Json(new { data = new { regulation = new { id = regulateId, overallStatus = status, regulateType = "SUPPRESS_WITH_DELETE" } } });
        });
        // a vendor whose pages never end: always another cursor
        app.MapGet("/api/loop", (string? cursor, HttpContext http) =>
        {
            if (http.Request.Headers.Authorization != "Bearer " + Token) return Results.StatusCode(401);
            var n = Interlocked.Increment(ref self!._loopPages);
            return Results.Json(new { items = new[] { new { n } }, next = "c" + n });
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
