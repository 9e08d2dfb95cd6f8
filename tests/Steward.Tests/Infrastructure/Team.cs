using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Steward.Tests.Infrastructure;

/// <summary>A signed-in member of a client's team, with their bearer token.</summary>
public sealed record TeamMember(Guid Id, Guid ClientId, string Role, string Email, string Password, HttpClient Http, string Token)
{
    public string Base => $"/v1/clients/{ClientId}";
}

public static class TeamExtensions
{
    public const string Password = "a long enough password";

    /// <summary>A new client and its owner (from the sign-up), signed in.</summary>
    public static async Task<(StewardApp.Tenant Tenant, TeamMember Owner)> SignUpWithOwnerAsync(this StewardApp app)
    {
        var body = await app.SignUpBodyAsync();
        var response = await app.Anonymous().PostAsJsonAsync("/v1/signup", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.JsonAsync();
        var key = created.GetProperty("apiKey").GetString()!;
        var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var tenant = new StewardApp.Tenant(created.GetProperty("clientId").GetGuid(), key, http);
        var owner = await app.ClientSignInAsync((string)body["ownerEmail"]!, Password, "owner");
        return (tenant, owner);
    }

    public static Task<HttpResponseMessage> ClientSignInRawAsync(this StewardApp app, string email, string password, string? code = null, string ip = StewardApp.DefaultIp) =>
        app.Anonymous(ip).PostAsJsonAsync("/v1/client-users/sessions", new { email, password, code });

    public static async Task<TeamMember> ClientSignInAsync(this StewardApp app, string email, string password, string role, string? code = null)
    {
        var response = await app.ClientSignInRawAsync(email, password, code);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        var token = body.GetProperty("token").GetString()!;
        var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TeamMember(body.GetProperty("userId").GetGuid(), body.GetProperty("clientId").GetGuid(), role, email, password, http, token);
    }

    /// <summary>An owner or admin invites a person; the person accepts the mailed link and signs in.</summary>
    public static async Task<TeamMember> InviteAsync(this StewardApp app, TeamMember by, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@client.example";
        var invited = await by.Http.PostAsJsonAsync(by.Base + "/users/invitations", new { name = "Team " + role, email, role });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var token = await app.InvitationTokenAsync(email, "client-invitation");
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsJsonAsync("/v1/client-users/invitations/accept", new { token, password = Password })).StatusCode);
        return await app.ClientSignInAsync(email, Password, role);
    }
}
