using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Clients;
using Steward.Team;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Team;

public sealed partial class TeamTests
{
    /// <summary>
    /// Client users: each role against every route of the client (owner, admin, member, read-only), and each API key
    /// scope alone against the same routes. A role may use a route exactly when it holds the route's right; a key
    /// exactly when it holds the route's scope; the team and key routes are for signed-in owners and admins only.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task ClientRoles_and_key_scopes_hold_cell_by_cell_on_every_client_route(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var team = new List<TeamMember> { await app.InviteAsync(owner, ClientRoles.ReadOnly), await app.InviteAsync(owner, ClientRoles.Member) };
        team.Add(await app.InviteAsync(owner, ClientRoles.Admin));
        team.Add(owner);

        // what a user relies on, spelled out
        var readOnly = team[0];
        var member = team[1];
        (await readOnly.Http.PostAsJsonAsync(readOnly.Base + "/contacts", new { email = "a@example.com" })).StatusCode.Is(HttpStatusCode.Forbidden);
        (await readOnly.Http.GetAsync(readOnly.Base + "/contacts")).StatusCode.Is(HttpStatusCode.OK);
        (await member.Http.PostAsJsonAsync(member.Base + "/contacts", new { email = "b@example.com" })).StatusCode.Is(HttpStatusCode.Created);
        (await member.Http.GetAsync(member.Base + "/users")).StatusCode.Is(HttpStatusCode.Forbidden);
        (await member.Http.PostAsJsonAsync(member.Base + "/api-keys", new { name = "k", scopes = new[] { "contacts:read" } })).StatusCode.Is(HttpStatusCode.Forbidden);
        (await tenant.Http.GetAsync(tenant.Base + "/users")).StatusCode.Is(HttpStatusCode.Forbidden); // a key, even the owner key
        // another client's routes: 404, as if it did not exist
        var (other, _) = await app.SignUpWithOwnerAsync();
        (await team[3].Http.GetAsync(other.Base + "/contacts")).StatusCode.Is(HttpStatusCode.NotFound);

        var keys = new Dictionary<string, HttpClient>();
        foreach (var scope in ClientRoles.Scopes)
        {
            var created = await owner.Http.PostAsJsonAsync(owner.Base + "/api-keys", new { name = "only " + scope, scopes = new[] { scope } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var http = app.Anonymous();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await created.JsonAsync()).GetProperty("apiKey").GetString());
            keys[scope] = http;
        }
        (await keys[ClientRoles.ContactsRead].PostAsJsonAsync(tenant.Base + "/contacts", new { email = "c@example.com" })).StatusCode.Is(HttpStatusCode.Forbidden);
        (await keys[ClientRoles.ContactsRead].GetAsync(tenant.Base + "/contacts")).StatusCode.Is(HttpStatusCode.OK);
        (await keys[ClientRoles.ContactsWrite].PostAsJsonAsync(tenant.Base + "/contacts", new { email = "c@example.com" })).StatusCode.Is(HttpStatusCode.Created);
        (await keys[ClientRoles.Widgets].GetAsync(tenant.Base + "/contacts")).StatusCode.Is(HttpStatusCode.Forbidden);

        var routes = ClientRoutes(app);
        Assert.Contains(routes, r => StaffClientAccess.RightFor(r.Endpoint, r.Method) == ClientRoles.ManageTeam);
        var wrong = new List<string>();
        var cells = 0;
        foreach (var (endpoint, method) in routes)
        {
            var right = StaffClientAccess.RightFor(endpoint, method);
            var scope = ClientRoles.ScopeFor(endpoint, method);
            var clients = endpoint.Metadata.GetMetadata<ClientRoles.StaffOnly>() is null; // support's routes on a client's path
            var callers = team.Select(u => (Who: u.Role, u.Http, Allowed: clients && ClientRoles.RoleMay(u.Role, right)))
                .Concat(keys.Select(k => (Who: "key " + k.Key, Http: k.Value, Allowed: clients && (scope is null || scope == k.Key))));
            foreach (var (who, http, allowed) in callers)
            {
                var status = (int)(await http.SendAsync(Request(endpoint, method, tenant.ClientId))).StatusCode;
                cells++;
                if (allowed ? status is 401 or 403 or >= 500 : status != 403)
                    wrong.Add($"{who} {method} {endpoint.RoutePattern.RawText}: {status}, expected {(allowed ? "allowed" : "403")}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(cells >= 10 * 30, $"only {cells} cells walked");
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ClientUsers_an_invitation_link_works_once_and_expires(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, StewardApp.ProductionPasswordHashing);
        var (_, owner) = await app.SignUpWithOwnerAsync();
        var email = $"new-{Guid.NewGuid():N}@client.example";
        (await owner.Http.PostAsJsonAsync(owner.Base + "/users/invitations", new { name = "New Person", email, role = "member" })).StatusCode.Is(HttpStatusCode.Created);
        var token = await app.InvitationTokenAsync(email, "client-invitation");
        // the address is taken; a bad role or a common password is refused and nothing changes
        await (await owner.Http.PostAsJsonAsync(owner.Base + "/users/invitations", new { name = "Again", email, role = "member" })).AssertProblemAsync(409);
        await (await owner.Http.PostAsJsonAsync(owner.Base + "/users/invitations", new { name = "X", email = "x@client.example", role = "boss" })).AssertProblemAsync(400);
        await (await app.Anonymous().PostAsJsonAsync("/v1/client-users/invitations/accept", new { token, password = "password1234" })).AssertProblemAsync(400);
        await (await app.ClientSignInRawAsync(email, TeamExtensions.Password)).AssertProblemAsync(401); // not accepted yet

        (await app.Anonymous().PostAsJsonAsync("/v1/client-users/invitations/accept", new { token, password = TeamExtensions.Password })).StatusCode.Is(HttpStatusCode.OK);
        await (await app.Anonymous().PostAsJsonAsync("/v1/client-users/invitations/accept", new { token, password = "another long password" })).AssertProblemAsync(404);
        var member = await app.ClientSignInAsync(email, TeamExtensions.Password, "member");
        (await member.Http.GetAsync(member.Base + "/contacts")).StatusCode.Is(HttpStatusCode.OK);

        var late = $"late-{Guid.NewGuid():N}@client.example";
        (await owner.Http.PostAsJsonAsync(owner.Base + "/users/invitations", new { name = "Late", email = late, role = "read-only" })).StatusCode.Is(HttpStatusCode.Created);
        var lateToken = await app.InvitationTokenAsync(late, "client-invitation");
        app.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await (await app.Anonymous().PostAsJsonAsync("/v1/client-users/invitations/accept", new { token = lateToken, password = TeamExtensions.Password })).AssertProblemAsync(404);

        // only the hash of the link is kept, and the password as a salted PBKDF2 hash (ASVS V2.4.1)
        var stored = await app.WithDbAsync((db, _) => db.ClientUsers.IgnoreQueryFilters().SingleAsync(u => u.Id == member.Id));
        Assert.Null(stored.InvitationHash);
        Assert.StartsWith("AQAAAA", stored.PasswordHash, StringComparison.Ordinal); // Identity v3 format marker
        StewardApp.AssertProductionPasswordHash(stored.PasswordHash);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ClientUsers_removal_ends_sessions_on_the_next_request_and_the_client_keeps_an_owner(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (_, owner) = await app.SignUpWithOwnerAsync();
        var member = await app.InviteAsync(owner, ClientRoles.Member);
        var admin = await app.InviteAsync(owner, ClientRoles.Admin);
        (await member.Http.GetAsync(member.Base + "/contacts")).StatusCode.Is(HttpStatusCode.OK);

        (await admin.Http.DeleteAsync($"{admin.Base}/users/{member.Id}")).StatusCode.Is(HttpStatusCode.OK);
        await (await member.Http.GetAsync(member.Base + "/contacts")).AssertProblemAsync(401);
        await (await app.ClientSignInRawAsync(member.Email, member.Password)).AssertProblemAsync(401);

        // an admin neither removes nor demotes an owner, nor makes one
        await (await admin.Http.DeleteAsync($"{admin.Base}/users/{owner.Id}")).AssertProblemAsync(403);
        await (await admin.Http.PatchAsJsonAsync($"{admin.Base}/users/{owner.Id}", new { role = "member" })).AssertProblemAsync(403);
        await (await admin.Http.PatchAsJsonAsync($"{admin.Base}/users/{admin.Id}", new { role = "owner" })).AssertProblemAsync(403);
        // the last owner can neither leave nor step down
        await (await owner.Http.DeleteAsync($"{owner.Base}/users/{owner.Id}")).AssertProblemAsync(409);
        await (await owner.Http.PatchAsJsonAsync($"{owner.Base}/users/{owner.Id}", new { role = "admin" })).AssertProblemAsync(409);

        // a role change applies on the next request
        (await owner.Http.PatchAsJsonAsync($"{owner.Base}/users/{admin.Id}", new { role = "read-only" })).StatusCode.Is(HttpStatusCode.OK);
        await (await admin.Http.GetAsync(admin.Base + "/users")).AssertProblemAsync(403);
        (await owner.Http.PatchAsJsonAsync($"{owner.Base}/users/{admin.Id}", new { role = "owner" })).StatusCode.Is(HttpStatusCode.OK);
        (await owner.Http.DeleteAsync($"{owner.Base}/users/{owner.Id}")).StatusCode.Is(HttpStatusCode.OK); // another owner remains
        await (await owner.Http.GetAsync(owner.Base + "/users")).AssertProblemAsync(401);
        var list = await (await admin.Http.GetAsync(admin.Base + "/users")).JsonAsync();
        Assert.Equal([admin.Id], list.EnumerateArray().Select(u => u.GetProperty("id").GetGuid()));
        Assert.Contains(await app.WithDbAsync((db, _) => db.AuditEvents.Select(e => e.Action).ToListAsync()), a => a == "RemoveClientUser");
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ClientUsers_optional_totp_is_needed_once_enrolled_accepted_once_and_failures_lock_the_account(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (_, owner) = await app.SignUpWithOwnerAsync();
        var started = await (await owner.Http.PostAsync("/v1/client-users/me/totp", null)).JsonAsync();
        var secret = OtpNet.Base32Encoding.ToBytes(started.GetProperty("totpSecret").GetString()!);
        (await app.ClientSignInRawAsync(owner.Email, owner.Password)).StatusCode.Is(HttpStatusCode.Created); // off until confirmed
        await (await owner.Http.PostAsJsonAsync("/v1/client-users/me/totp/confirm", new { code = "000000" })).AssertProblemAsync(400);
        (await owner.Http.PostAsJsonAsync("/v1/client-users/me/totp/confirm", new { code = StaffExtensions.Totp(secret, app.Clock.GetUtcNow()) })).StatusCode.Is(HttpStatusCode.OK);

        await (await app.ClientSignInRawAsync(owner.Email, owner.Password)).AssertProblemAsync(401);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = StaffExtensions.Totp(secret, app.Clock.GetUtcNow());
        (await app.ClientSignInRawAsync(owner.Email, owner.Password, code)).StatusCode.Is(HttpStatusCode.Created);
        await (await app.ClientSignInRawAsync(owner.Email, owner.Password, code)).AssertProblemAsync(401); // no replay

        // lockout as for staff: five failures lock, even the right password waits, then it is released
        for (var i = 0; i < 4; i++) await (await app.ClientSignInRawAsync(owner.Email, "wrong password here")).AssertProblemAsync(401);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await (await app.ClientSignInRawAsync(owner.Email, owner.Password, StaffExtensions.Totp(secret, app.Clock.GetUtcNow()))).AssertProblemAsync(429);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        (await app.ClientSignInRawAsync(owner.Email, owner.Password, StaffExtensions.Totp(secret, app.Clock.GetUtcNow()))).StatusCode.Is(HttpStatusCode.Created);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ApiKeys_are_shown_once_stored_hashed_expire_are_revoked_at_once_and_record_their_last_use(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        await (await owner.Http.PostAsJsonAsync(owner.Base + "/api-keys", new { name = "bad", scopes = new[] { "everything" } })).AssertProblemAsync(400);
        await (await owner.Http.PostAsJsonAsync(owner.Base + "/api-keys", new { name = "bad", scopes = Array.Empty<string>() })).AssertProblemAsync(400);
        await (await owner.Http.PostAsJsonAsync(owner.Base + "/api-keys",
            new { name = "bad", scopes = new[] { "contacts:read" }, expiresAt = app.Clock.GetUtcNow().AddDays(-1) })).AssertProblemAsync(400);

        var created = await (await owner.Http.PostAsJsonAsync(owner.Base + "/api-keys",
            new { name = "CRM sync", scopes = new[] { "contacts:read" }, expiresAt = app.Clock.GetUtcNow().AddDays(30) })).JsonAsync();
        var secret = created.GetProperty("apiKey").GetString()!;
        var keyId = created.GetProperty("key").GetProperty("id").GetGuid();
        var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        (await http.GetAsync(tenant.Base + "/contacts")).StatusCode.Is(HttpStatusCode.OK);

        var listed = await owner.Http.GetStringAsync(owner.Base + "/api-keys");
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[10..], listed, StringComparison.Ordinal);
        var keys = System.Text.Json.JsonDocument.Parse(listed).RootElement.EnumerateArray().ToList();
        // the sign-up key keeps working as the owner key: every scope
        Assert.Equal(ClientRoles.Scopes, keys[0].GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(app.Clock.GetUtcNow(), keys.Single(k => k.GetProperty("id").GetGuid() == keyId).GetProperty("lastUsedAt").GetDateTimeOffset());
        var stored = await app.WithDbAsync((db, _) => db.ApiKeys.SingleAsync(k => k.Id == keyId), tenant.ClientId);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret)), stored.Hash);

        app.Clock.Advance(TimeSpan.FromDays(31));
        await (await http.GetAsync(tenant.Base + "/contacts")).AssertProblemAsync(401); // expired
        owner = await app.ClientSignInAsync(owner.Email, owner.Password, ClientRoles.Owner); // a month on: a new session

        var second = await (await owner.Http.PostAsJsonAsync(owner.Base + "/api-keys", new { name = "widgets", scopes = new[] { "widgets" } })).JsonAsync();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", second.GetProperty("apiKey").GetString());
        (await http.GetAsync(tenant.Base + "/widgets")).StatusCode.Is(HttpStatusCode.OK);
        (await owner.Http.DeleteAsync($"{owner.Base}/api-keys/{second.GetProperty("key").GetProperty("id").GetGuid()}")).StatusCode.Is(HttpStatusCode.OK);
        await (await http.GetAsync(tenant.Base + "/widgets")).AssertProblemAsync(401); // revoked: refused at once
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G30_sign_in_is_rate_limited_per_ip_besides_the_per_account_lockout(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:RateLimits:SignInPerMinute"] = "3");
        for (var i = 0; i < 3; i++)
            await (await app.ClientSignInRawAsync($"nobody{i}@client.example", "some password here", ip: "198.51.100.1")).AssertProblemAsync(401);
        // a fourth attempt from that address is not even evaluated, whatever the account, staff sign-in included
        await (await app.ClientSignInRawAsync("nobody9@client.example", "some password here", ip: "198.51.100.1")).AssertProblemAsync(429);
        await (await app.SignInAsync("staff@processor.example", "some password here", ip: "198.51.100.1")).AssertProblemAsync(429);
        // another address is not held back
        await (await app.ClientSignInRawAsync("nobody9@client.example", "some password here", ip: "198.51.100.2")).AssertProblemAsync(401);
    }

    private static List<(RouteEndpoint Endpoint, string Method)> ClientRoutes(StewardApp app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null) == Policies.ClientApi
                && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Take(1).Select(m => (e, m)))
            .ToList();

    private static HttpRequestMessage Request(RouteEndpoint endpoint, string method, Guid clientId)
    {
        var url = RouteParameter().Replace(endpoint.RoutePattern.RawText!, m => m.Groups[1].Value switch
        {
            "clientId" => clientId.ToString(),
            "kind" => "processor",
            "version" => "1",
            _ => Guid.NewGuid().ToString(),
        });
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return request;
    }

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}

internal static class StatusAssertions
{
    public static void Is(this HttpStatusCode actual, HttpStatusCode expected) => Assert.Equal(expected, actual);
}
