using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Steward.Access;
using Steward.Crypto;

namespace Steward.Tests.Infrastructure;

/// <summary>A signed-in staff member: their secrets as the person holds them, and a client with their bearer token.</summary>
public sealed record StaffUser(Guid Id, string Role, string Email, string Password, byte[] TotpSecret, List<string> RecoveryCodes, HttpClient Http, string Token);

public static class StaffExtensions
{
    public const string Password = "correct horse battery staple 42";

    /// <summary>The first start of a deployment: the setup link creates the CEO and the DPO, who accept and sign in.</summary>
    public static async Task<(StaffUser Ceo, StaffUser Dpo)> SetUpGovernanceAsync(this StewardApp app)
    {
        var token = await app.SetupTokenAsync();
        var ceoEmail = Canaries.Personal($"ceo-{Guid.NewGuid():N}@processor.example");
        var dpoEmail = Canaries.Personal($"dpo-{Guid.NewGuid():N}@processor.example");
        var response = await app.Anonymous().PostAsJsonAsync("/v1/staff/setup", new
        {
            token,
            ceo = new { name = Canaries.Personal("Cecilia Exeter-Vance"), email = ceoEmail },
            dpo = new { name = Canaries.Personal("Dorothea Pohl-Ostrander"), email = dpoEmail },
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, string.Join("\n", app.Logs.Where(l => l.Contains("Exception", StringComparison.Ordinal)).Take(2)));
        var invited = (await response.JsonAsync()).GetProperty("invited").EnumerateArray().ToList();
        string Invitation(string role) => new Uri(invited.Single(i => i.GetProperty("role").GetString() == role).GetProperty("invitationLink").GetString()!)
            .Query.Split("token=")[1];
        var ceo = await app.AcceptAndSignInAsync(Invitation(Roles.Ceo), ceoEmail, Roles.Ceo);
        var dpo = await app.AcceptAndSignInAsync(Invitation(Roles.Dpo), dpoEmail, Roles.Dpo);
        return (ceo, dpo);
    }

    /// <summary>A fresh one-time setup link's token, as the console prints it at start.</summary>
    public static async Task<string> SetupTokenAsync(this StewardApp app)
    {
        var link = await app.WithDbAsync((_, services) => services.GetRequiredService<SetUpFirstStaff>().OfferAsync(CancellationToken.None));
        return new Uri(link!).Query.Split("token=")[1];
    }

    public static async Task<StaffUser> AcceptAndSignInAsync(this StewardApp app, string invitation, string email, string role)
    {
        var accepted = await app.Anonymous().PostAsJsonAsync("/v1/staff/invitations/accept", new { token = Canaries.Secret(invitation), password = Canaries.Secret(Password) });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var body = await accepted.JsonAsync();
        var secret = Base32Encoding.ToBytes(Canaries.Secret(body.GetProperty("totpSecret").GetString()!));
        var codes = body.GetProperty("recoveryCodes").EnumerateArray().Select(c => Canaries.Secret(c.GetString()!)).ToList();
        var session = await app.SignInAsync(email, Password, Totp(secret, app.Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.Created, session.StatusCode);
        var token = Canaries.Secret((await session.JsonAsync()).GetProperty("token").GetString()!);
        var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new StaffUser(body.GetProperty("staffId").GetGuid(), role, email, Password, secret, codes, http, token);
    }

    public static Task<HttpResponseMessage> SignInAsync(this StewardApp app, string email, string password, string? code = null, string? recoveryCode = null,
        string ip = StewardApp.DefaultIp) =>
        app.Anonymous(ip).PostAsJsonAsync("/v1/staff/sessions", new { email, password, code, recoveryCode });

    /// <summary>A new session for the person, with a code of the current time step.</summary>
    public static async Task<StaffUser> SignInAgainAsync(this StewardApp app, StaffUser user)
    {
        var session = await app.SignInAsync(user.Email, user.Password, Totp(user.TotpSecret, app.Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.Created, session.StatusCode);
        var token = (await session.JsonAsync()).GetProperty("token").GetString()!;
        var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return user with { Http = http, Token = token };
    }

    private sealed class Desk
    {
        public required StaffUser Dpo;
        public DateTimeOffset LastUsed, SignedIn;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StewardApp, Desk> Desks = new();

    /// <summary>
    /// The DPO's client for the processor's compliance routes, set up on first use. Tests move the clock by days:
    /// past the idle or absolute session limit the DPO signs in again (a later time step, so never a replayed code).
    /// </summary>
    public static async Task<HttpClient> DpoAsync(this StewardApp app) => (await app.DpoUserAsync()).Http;

    public static async Task<StaffUser> DpoUserAsync(this StewardApp app)
    {
        var now = app.Clock.GetUtcNow();
        if (!Desks.TryGetValue(app, out var desk))
        {
            var (_, dpo) = await app.SetUpGovernanceAsync();
            desk = new Desk { Dpo = dpo, SignedIn = now };
            Desks.AddOrUpdate(app, desk);
        }
        else if (now - desk.LastUsed > TimeSpan.FromMinutes(20) || now - desk.SignedIn > TimeSpan.FromHours(10))
        {
            desk.Dpo = await app.SignInAgainAsync(desk.Dpo);
            desk.SignedIn = now;
        }
        desk.LastUsed = now;
        return desk.Dpo;
    }

    public static string Totp(byte[] secret, DateTimeOffset at) => new Totp(secret).ComputeTotp(at.UtcDateTime);

    /// <summary>A CEO or DPO adds a person with a role; the person accepts the mailed invitation and signs in.</summary>
    public static async Task<StaffUser> AddStaffAsync(this StewardApp app, StaffUser by, string role, bool onboard = true, bool leadPm = false)
    {
        var email = Canaries.Personal($"{role}-{Guid.NewGuid():N}@processor.example");
        var added = await by.Http.PostAsJsonAsync("/v1/staff", new { name = "Staff " + role, email, role, leadPm });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var id = (await added.JsonAsync()).GetProperty("id").GetGuid();
        if (onboard)
            Assert.Equal(HttpStatusCode.OK, (await by.Http.PostAsJsonAsync($"/v1/staff/{id}/onboarding",
                new { training = true, confidentiality = true, dpaDuties = true, guidelines = true })).StatusCode);
        var user = await app.AcceptAndSignInAsync(await app.InvitationTokenAsync(email), email, role);
        Assert.Equal(id, user.Id);
        return user;
    }

    /// <summary>The invitation token from the mail in the outbox to this address.</summary>
    public static Task<string> InvitationTokenAsync(this StewardApp app, string email, string kind = "staff-invitation") => app.WithDbAsync(async (db, services) =>
    {
        var vault = services.GetRequiredService<KeyVault>();
        foreach (var message in await db.OutboxMessages.Where(m => m.Kind == kind).OrderByDescending(m => m.CreatedAt).ToListAsync())
        {
            using var key = await vault.OpenAsync(Guid.Empty, message.Id, CancellationToken.None);
            if (key is null || Encoding.UTF8.GetString(key.Open("to", message.ToSealed)) != email) continue;
            var body = Encoding.UTF8.GetString(key.Open("body", message.BodySealed));
            return body.Split("token=")[1].Split(new[] { '\n', ' ', ')' }, 2)[0].Trim();
        }
        throw new InvalidOperationException("No invitation was mailed to " + email);
    });

    /// <summary>A grant asked by the CEO and approved by the CEO and the DPO.</summary>
    public static async Task<JsonElement> GrantAsync(this (StaffUser Ceo, StaffUser Dpo) governance, StaffUser to, Guid? clientId, string[] rights,
        DateTimeOffset? expiresAt = null)
    {
        var requested = await governance.Ceo.Http.PostAsJsonAsync("/v1/access-grants", new { staffId = to.Id, clientId, rights, purpose = "Support ticket T-1", expiresAt });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var id = (await requested.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await governance.Ceo.Http.PostAsync($"/v1/access-grants/{id}/approve", null)).StatusCode);
        var approved = await governance.Dpo.Http.PostAsync($"/v1/access-grants/{id}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var grant = await approved.JsonAsync();
        Assert.Equal("active", grant.GetProperty("status").GetString());
        return grant;
    }

    /// <summary>A GET on a client's routes as a staff member, with the reason header unless it is null.</summary>
    public static Task<HttpResponseMessage> GetAsStaff(StaffUser staff, string url, string? reason = "ticket T-1")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (reason is not null) request.WithReason(reason);
        return staff.Http.SendAsync(request);
    }

    /// <summary>A request on a client's routes as a staff member, with the reason header.</summary>
    public static HttpRequestMessage WithReason(this HttpRequestMessage request, string reason = "ticket T-1")
    {
        request.Headers.Add(StaffClientAccess.ReasonHeader, reason);
        return request;
    }
}
