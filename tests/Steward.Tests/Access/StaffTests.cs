using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Access;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;
using static Steward.Tests.Infrastructure.StaffExtensions;

namespace Steward.Tests.Access;

public sealed class StaffTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P16_a_grant_takes_effect_only_once_a_ceo_and_a_dpo_two_different_people_approve_it(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var (ceo, dpo) = governance;
        var tenant = await app.SignUpAsync();
        var contact = await tenant.CreateContactAsync(ContactTests.Jane);
        var url = $"{tenant.Base}/contacts/{contact.GetProperty("id")}";
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);

        // no grant: refused, and told why
        await (await GetAsStaff(support, url)).AssertProblemAsync(403);

        var requested = await ceo.Http.PostAsJsonAsync("/v1/access-grants",
            new { staffId = support.Id, clientId = tenant.ClientId, rights = new[] { "read" }, purpose = "Ticket T-1: import failed" });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var grantId = (await requested.JsonAsync()).GetProperty("id").GetGuid();
        var first = await (await ceo.Http.PostAsync($"/v1/access-grants/{grantId}/approve", null)).JsonAsync();
        Assert.Equal("pending", first.GetProperty("status").GetString());
        await (await GetAsStaff(support, url)).AssertProblemAsync(403);
        // the same CEO approving twice is not a second person
        await (await ceo.Http.PostAsync($"/v1/access-grants/{grantId}/approve", null)).AssertProblemAsync(409);
        await (await GetAsStaff(support, url)).AssertProblemAsync(403);

        var second = await (await dpo.Http.PostAsync($"/v1/access-grants/{grantId}/approve", null)).JsonAsync();
        Assert.Equal("active", second.GetProperty("status").GetString());
        var read = await GetAsStaff(support, url);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("Jane", (await read.JsonAsync()).GetProperty("firstName").GetString());

        // P-22: the access is in the audit chain with the staff id and the reason; without a reason it is refused
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e =>
            e.ActorType == "staff" && e.ActorId == support.Id.ToString() && e.ClientId == tenant.ClientId && e.Reason == "ticket T-1" && e.Status == 200)));
        await (await GetAsStaff(support, url, reason: null)).AssertProblemAsync(403);
        // the grant gives read only: customer success may not modify
        var erase = new HttpRequestMessage(HttpMethod.Post, url + "/erase").WithReason();
        await (await support.Http.SendAsync(erase)).AssertProblemAsync(403);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync(url)).StatusCode);

        // nobody approves their own access: a grant for the DPO needs another DPO, not the DPO themselves
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsJsonAsync($"/v1/staff/{dpo.Id}/onboarding",
            new { training = true, confidentiality = true, dpaDuties = true, guidelines = true })).StatusCode);
        var own = await ceo.Http.PostAsJsonAsync("/v1/access-grants",
            new { staffId = dpo.Id, clientId = tenant.ClientId, rights = new[] { "read" }, purpose = "Own access" });
        var ownId = (await own.JsonAsync()).GetProperty("id").GetGuid();
        await (await dpo.Http.PostAsync($"/v1/access-grants/{ownId}/approve", null)).AssertProblemAsync(403);
        // a role outside governance cannot approve at all
        await (await support.Http.PostAsync($"/v1/access-grants/{ownId}/approve", null)).AssertProblemAsync(403);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G08_P17_no_grant_for_a_person_without_recorded_training_and_confidentiality_undertaking(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var pm = await app.AddStaffAsync(ceo, Roles.ProductManagement, onboard: false);
        var body = new { staffId = pm.Id, clientId = tenant.ClientId, rights = new[] { "read" }, purpose = "Feature analysis" };

        await (await ceo.Http.PostAsJsonAsync("/v1/access-grants", body)).AssertProblemAsync(409);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.AccessGrants.CountAsync()));
        // training alone is not enough: the confidentiality undertaking and the DPA briefing are needed too
        await dpo.Http.PostAsJsonAsync($"/v1/staff/{pm.Id}/onboarding", new { training = true });
        await (await ceo.Http.PostAsJsonAsync("/v1/access-grants", body)).AssertProblemAsync(409);
        var onboarded = await (await dpo.Http.PostAsJsonAsync($"/v1/staff/{pm.Id}/onboarding", new { confidentiality = true, dpaDuties = true, guidelines = true })).JsonAsync();
        Assert.True(onboarded.GetProperty("complete").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, (await ceo.Http.PostAsJsonAsync("/v1/access-grants", body)).StatusCode);
        // rights beyond the role are refused: product management does not export
        await (await ceo.Http.PostAsJsonAsync("/v1/access-grants", body with { rights = new[] { "export" } })).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P18_disabling_a_person_refuses_their_live_session_on_its_very_next_request(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var support = await app.AddStaffAsync(governance.Ceo, Roles.CustomerSuccess);
        var grant = await governance.GrantAsync(support, tenant.ClientId, ["read"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsStaff(support, tenant.Base + "/contacts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await support.Http.GetAsync("/v1/staff/me/sessions")).StatusCode);

        var disabled = await (await governance.Dpo.Http.PostAsync($"/v1/staff/{support.Id}/disable", null)).JsonAsync();
        Assert.Equal(1, disabled.GetProperty("sessionsEnded").GetInt32());
        Assert.Equal(1, disabled.GetProperty("grantsRevoked").GetInt32());

        // no grace: the same token, the next request, without moving the clock
        Assert.Equal(HttpStatusCode.Unauthorized, (await support.Http.GetAsync("/v1/staff/me/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsStaff(support, tenant.Base + "/contacts")).StatusCode);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await (await app.SignInAsync(support.Email, support.Password, StaffExtensions.Totp(support.TotpSecret, app.Clock.GetUtcNow()))).AssertProblemAsync(401);
        var grants = await governance.Ceo.Http.GetFromJsonAsync<JsonElement>($"/v1/access-grants?staffId={support.Id}");
        Assert.Equal("revoked", Assert.Single(grants.EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal(grant.GetProperty("id").GetGuid(), grants[0].GetProperty("id").GetGuid());
        // and the client no longer sees the person among those with access (P-15)
        Assert.Empty((await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/staff-with-access")).EnumerateArray());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ASVS_V2_8_a_totp_code_is_accepted_once_and_within_one_time_step_only(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, _) = await app.SetUpGovernanceAsync();
        var signedInAt = app.Clock.GetUtcNow();
        // the code just used, again in the same step: a replay
        await (await app.SignInAsync(ceo.Email, ceo.Password, StaffExtensions.Totp(ceo.TotpSecret, signedInAt))).AssertProblemAsync(401);

        app.Clock.Advance(TimeSpan.FromSeconds(90));
        var now = app.Clock.GetUtcNow();
        // one step behind and one step ahead are accepted, each once
        Assert.Equal(HttpStatusCode.Created, (await app.SignInAsync(ceo.Email, ceo.Password, StaffExtensions.Totp(ceo.TotpSecret, now.AddSeconds(-30)))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await app.SignInAsync(ceo.Email, ceo.Password, StaffExtensions.Totp(ceo.TotpSecret, now.AddSeconds(30)))).StatusCode);
        // an older step, though within the window, was overtaken: refused
        await (await app.SignInAsync(ceo.Email, ceo.Password, StaffExtensions.Totp(ceo.TotpSecret, now))).AssertProblemAsync(401);

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        now = app.Clock.GetUtcNow();
        await (await app.SignInAsync(ceo.Email, ceo.Password, StaffExtensions.Totp(ceo.TotpSecret, now.AddSeconds(-60)))).AssertProblemAsync(401);
        await (await app.SignInAsync(ceo.Email, ceo.Password, StaffExtensions.Totp(ceo.TotpSecret, now.AddSeconds(90)))).AssertProblemAsync(401);
        // an admin role without any code is refused; a recovery code works, once
        await (await app.SignInAsync(ceo.Email, ceo.Password)).AssertProblemAsync(401);
        Assert.Equal(HttpStatusCode.Created, (await app.SignInAsync(ceo.Email, ceo.Password, recoveryCode: ceo.RecoveryCodes[0])).StatusCode);
        await (await app.SignInAsync(ceo.Email, ceo.Password, recoveryCode: ceo.RecoveryCodes[0])).AssertProblemAsync(401);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G30_five_failed_sign_ins_lock_the_account_for_a_growing_delay_then_release_it(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, _) = await app.SetUpGovernanceAsync();
        string Code() => StaffExtensions.Totp(ceo.TotpSecret, app.Clock.GetUtcNow());

        for (var i = 0; i < 5; i++) await (await app.SignInAsync(ceo.Email, "wrong password " + i, Code())).AssertProblemAsync(401);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        // locked: even the right password and code are refused
        await (await app.SignInAsync(ceo.Email, ceo.Password, Code())).AssertProblemAsync(429);
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Created, (await app.SignInAsync(ceo.Email, ceo.Password, Code())).StatusCode);

        // a good sign-in resets the count; a second lockout in a row lasts twice as long
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++) await (await app.SignInAsync(ceo.Email, "wrong password " + i, Code())).AssertProblemAsync(401);
        Assert.Equal(app.Clock.GetUtcNow() + TimeSpan.FromMinutes(1),
            await app.WithDbAsync((db, _) => db.StaffMembers.Where(s => s.Id == ceo.Id).Select(s => s.LockedUntil).SingleAsync()));
        for (var i = 0; i < 5; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(61));
            // each attempt while unlocked but wrong counts on: after the first lockout the next five lock for two minutes
            await (await app.SignInAsync(ceo.Email, "wrong again", Code())).AssertProblemAsync(401);
        }
        var lockedUntil = await app.WithDbAsync((db, _) => db.StaffMembers.Where(s => s.Id == ceo.Id).Select(s => s.LockedUntil).SingleAsync());
        Assert.Equal(app.Clock.GetUtcNow() + TimeSpan.FromMinutes(2), lockedUntil);

        // G-47: a sign-in for an unknown account is refused like a wrong password, and logged with the IP
        var unknown = await app.SignInAsync("nobody@processor.example", "whatever password", "123456", ip: "198.51.100.99");
        await unknown.AssertProblemAsync(401);
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "StaffSignIn:unknown-account" && e.IpAddressSealed != null)));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ASVS_V2_1_a_common_or_short_password_is_refused_and_the_invitation_stays_open(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, _) = await app.SetUpGovernanceAsync();
        var email = $"dev-{Guid.NewGuid():N}@processor.example";
        Assert.Equal(HttpStatusCode.Created, (await ceo.Http.PostAsJsonAsync("/v1/staff", new { name = "Dev", email, role = Roles.Development })).StatusCode);
        var token = await app.InvitationTokenAsync(email);

        foreach (var password in new[] { "password1234", "Password1234", "123456789012", "aaaaaaaaaaaaaaaa", "short pass" })
        {
            var problem = await (await app.Anonymous().PostAsJsonAsync("/v1/staff/invitations/accept", new { token, password })).AssertProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        }
        Assert.Null(await app.WithDbAsync((db, _) => db.StaffMembers.Where(s => s.Role == Roles.Development).Select(s => s.PasswordHash).SingleAsync()));
        var user = await app.AcceptAndSignInAsync(token, email, Roles.Development);
        // the invitation is used up
        await (await app.Anonymous().PostAsJsonAsync("/v1/staff/invitations/accept", new { token, password = StaffExtensions.Password })).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/v1/staff/me/sessions")).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P18_a_fresh_deployment_sets_up_its_ceo_and_dpo_once_through_the_setup_link_without_a_default_password(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, StewardApp.ProductionPasswordHashing);
        // the start printed the link
        Assert.Contains(app.Logs, l => l.Contains("/v1/staff/setup?token=", StringComparison.Ordinal));
        var token = await app.SetupTokenAsync();
        var same = new { name = "One Person", email = "one@processor.example" };
        // CEO and DPO must be two different people
        await (await app.Anonymous().PostAsJsonAsync("/v1/staff/setup", new { token, ceo = same, dpo = same })).AssertProblemAsync(400);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.StaffMembers.CountAsync()));

        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        // the link was replaced by a newer one, which is now used: neither works again, and no new one is offered
        await (await app.Anonymous().PostAsJsonAsync("/v1/staff/setup", new { token, ceo = same, dpo = new { name = "B", email = "b@processor.example" } })).AssertProblemAsync(404);
        Assert.Null(await app.WithDbAsync((_, services) => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<SetUpFirstStaff>(services).OfferAsync(CancellationToken.None)));
        Assert.Equal(2, await app.WithDbAsync((db, _) => db.StaffMembers.CountAsync()));
        // the passwords are hashed with the deployment's default cost, not the tests' cheaper one
        foreach (var hash in await app.WithDbAsync((db, _) => db.StaffMembers.Select(s => s.PasswordHash).ToListAsync()))
            StewardApp.AssertProductionPasswordHash(hash);

        // sessions: listed, and ended by their owner (sign-out)
        var sessions = await ceo.Http.GetFromJsonAsync<JsonElement>("/v1/staff/me/sessions");
        var current = Assert.Single(sessions.EnumerateArray());
        Assert.True(current.GetProperty("current").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.DeleteAsync($"/v1/staff/me/sessions/{current.GetProperty("id")}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ceo.Http.GetAsync("/v1/staff/me/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.GetAsync("/v1/staff/me/sessions")).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P15_a_client_sees_who_at_the_processor_can_reach_its_data_from_the_live_grants(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var admin = await app.AddStaffAsync(governance.Ceo, Roles.SystemAdministration);
        var pm = await app.AddStaffAsync(governance.Ceo, Roles.ProductManagement);
        await governance.GrantAsync(admin, null, ["modify", "remove"]);
        var pmGrant = await governance.GrantAsync(pm, tenant.ClientId, ["read"], expiresAt: app.Clock.GetUtcNow().AddDays(7));

        var list = (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/staff-with-access")).EnumerateArray().ToList();
        Assert.Equal(2, list.Count);
        var sysadmin = list.Single(p => p.GetProperty("staffId").GetGuid() == admin.Id);
        Assert.Equal("infrastructure", sysadmin.GetProperty("channel").GetString());
        Assert.True(sysadmin.GetProperty("allClients").GetBoolean());
        Assert.Equal(["modify", "remove"], sysadmin.GetProperty("rights").EnumerateArray().Select(r => r.GetString()));
        var product = list.Single(p => p.GetProperty("staffId").GetGuid() == pm.Id);
        Assert.Equal("Staff product-management", product.GetProperty("name").GetString());
        Assert.Equal(Roles.ProductManagement, product.GetProperty("role").GetString());

        // the other client sees only the all-clients grant, and not this client's list
        Assert.Single((await other.Http.GetFromJsonAsync<JsonElement>(other.Base + "/staff-with-access")).EnumerateArray());
        await (await other.Http.GetAsync(tenant.Base + "/staff-with-access")).AssertProblemAsync(404);

        // revoked at once; and a time-boxed grant ends by itself
        Assert.Equal(HttpStatusCode.OK, (await governance.Dpo.Http.PostAsync($"/v1/access-grants/{pmGrant.GetProperty("id")}/revoke", null)).StatusCode);
        await (await GetAsStaff(pm, tenant.Base + "/contacts")).AssertProblemAsync(403);
        Assert.Single((await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/staff-with-access")).EnumerateArray());
        var boxed = await governance.GrantAsync(pm, tenant.ClientId, ["read"], expiresAt: app.Clock.GetUtcNow().AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await GetAsStaff(pm, tenant.Base + "/contacts")).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await GetAsStaff(pm, tenant.Base + "/contacts")).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await GetAsStaff(pm, tenant.Base + "/contacts")).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await (await GetAsStaff(pm, tenant.Base + "/contacts")).AssertProblemAsync(403);
        Assert.NotEqual(Guid.Empty, boxed.GetProperty("id").GetGuid());
    }
}
