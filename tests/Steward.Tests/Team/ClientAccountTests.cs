using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Notifications;
using Steward.Team;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Team;

/// <summary>A team member's own account: recovery codes, a reset after a lost authenticator, their sessions.</summary>
public sealed class ClientAccountTests
{
    /// <summary>Enrols the member's TOTP; returns the secret and the recovery codes shown at confirmation.</summary>
    private static async Task<(byte[] Secret, List<string> Codes)> EnrolAsync(StewardApp app, TeamMember member)
    {
        var started = await (await member.Http.PostAsync("/v1/client-users/me/totp", null)).JsonAsync();
        var secret = OtpNet.Base32Encoding.ToBytes(started.GetProperty("totpSecret").GetString()!);
        var confirmed = await member.Http.PostAsJsonAsync("/v1/client-users/me/totp/confirm", new { code = StaffExtensions.Totp(secret, app.Clock.GetUtcNow()) });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        return (secret, (await confirmed.JsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList());
    }

    private static Task<HttpResponseMessage> RecoverAsync(StewardApp app, TeamMember member, string recoveryCode) =>
        app.Anonymous().PostAsJsonAsync("/v1/client-users/sessions", new { email = member.Email, password = member.Password, recoveryCode });

    [Theory, ClassData(typeof(Engines))]
    public async Task ASVS_V2_5_client_recovery_codes_are_shown_once_stored_hashed_work_once_and_regenerating_voids_the_old_ones(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var (secret, codes) = await EnrolAsync(app, owner);
        Assert.Equal(10, codes.Distinct().Count());

        var stored = await app.WithDbAsync((db, _) => db.ClientRecoveryCodes.Where(r => r.UserId == owner.Id).Select(r => r.Hash).ToListAsync(), tenant.ClientId);
        Assert.Equal(codes.Select(Credentials.HashRecoveryCode).Select(Convert.ToHexString).Order(), stored.Select(Convert.ToHexString).Order());
        var listed = await owner.Http.GetStringAsync(owner.Base + "/users");
        Assert.DoesNotContain(codes[0], listed, StringComparison.Ordinal);

        // a recovery code instead of the TOTP code: once, however it is typed
        (await RecoverAsync(app, owner, codes[0])).StatusCode.Is(HttpStatusCode.Created);
        await (await RecoverAsync(app, owner, codes[0])).AssertProblemAsync(401);
        (await RecoverAsync(app, owner, " " + codes[1].ToUpperInvariant().Replace("-", " ", StringComparison.Ordinal) + " ")).StatusCode.Is(HttpStatusCode.Created);
        await (await RecoverAsync(app, owner, "aaaaa-bbbbb-ccccc-ddddd")).AssertProblemAsync(401);
        Assert.Contains(await app.WithDbAsync((db, _) => db.AuditEvents.Select(e => e.Action).ToListAsync()), a => a == "ClientSignIn:wrong-recovery-code");

        // regenerating needs a current TOTP code; the old codes stop working, the new ones work
        await (await owner.Http.PostAsJsonAsync("/v1/client-users/me/recovery-codes", new { code = "000000" })).AssertProblemAsync(400);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var regenerated = await owner.Http.PostAsJsonAsync("/v1/client-users/me/recovery-codes", new { code = StaffExtensions.Totp(secret, app.Clock.GetUtcNow()) });
        regenerated.StatusCode.Is(HttpStatusCode.OK);
        var fresh = (await regenerated.JsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(codes));
        await (await RecoverAsync(app, owner, codes[2])).AssertProblemAsync(401);
        (await RecoverAsync(app, owner, fresh[0])).StatusCode.Is(HttpStatusCode.Created);
        Assert.Equal(10, await app.WithDbAsync((db, _) => db.ClientRecoveryCodes.CountAsync(r => r.UserId == owner.Id), tenant.ClientId));

        // a person without two-factor has no recovery codes to regenerate
        var member = await app.InviteAsync(owner, ClientRoles.Member);
        await (await member.Http.PostAsJsonAsync("/v1/client-users/me/recovery-codes", new { code = "123456" })).AssertProblemAsync(409);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ClientUsers_an_owner_or_admin_resets_a_lost_authenticator_ending_the_persons_sessions_at_once_audited_and_mailed(Engine engine)
    {
        await using var app = await Mailbox.StartAppAsync(engine);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var admin = await app.InviteAsync(owner, ClientRoles.Admin);
        var member = await app.InviteAsync(owner, ClientRoles.Member);
        await EnrolAsync(app, owner);
        await EnrolAsync(app, admin);
        await EnrolAsync(app, member);
        string Reset(TeamMember who) => $"{tenant.Base}/users/{who.Id}/totp";

        await (await member.Http.DeleteAsync(Reset(admin))).AssertProblemAsync(403); // a member manages nobody
        await (await admin.Http.DeleteAsync(Reset(admin))).AssertProblemAsync(403); // nobody resets their own
        await (await admin.Http.DeleteAsync(Reset(owner))).AssertProblemAsync(403); // an owner's only by an owner
        await (await admin.Http.DeleteAsync($"{tenant.Base}/users/{Guid.NewGuid()}/totp")).AssertProblemAsync(404);
        (await member.Http.GetAsync("/v1/client-users/me/sessions")).StatusCode.Is(HttpStatusCode.OK);

        var reset = await admin.Http.DeleteAsync(Reset(member));
        reset.StatusCode.Is(HttpStatusCode.OK);
        Assert.Equal(1, (await reset.JsonAsync()).GetProperty("sessionsEnded").GetInt32());
        await (await member.Http.GetAsync("/v1/client-users/me/sessions")).AssertProblemAsync(401); // at once: the very next request
        var signedIn = await app.ClientSignInRawAsync(member.Email, member.Password); // two-factor off: the password alone, to enrol again
        signedIn.StatusCode.Is(HttpStatusCode.Created);
        await (await admin.Http.DeleteAsync(Reset(member))).AssertProblemAsync(409);
        (await owner.Http.DeleteAsync(Reset(admin))).StatusCode.Is(HttpStatusCode.OK); // an owner resets an admin's

        var audited = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "ResetClientTwoFactor").ToListAsync());
        Assert.Contains(audited, e => e.ActorId == admin.Id.ToString() && e.ResourceId == member.Id.ToString() && e.ClientId == tenant.ClientId);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.ClientRecoveryCodes.CountAsync(r => r.UserId == member.Id), tenant.ClientId));

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DeliverNotifications>().HandleAsync(50, default);
        var mail = Assert.Single(await Mailbox.ReceivedAsync(member.Email), m => m.Subject.Contains("two-factor", StringComparison.Ordinal));
        Assert.Contains("signed you out everywhere", mail.Text, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ASVS_V3_3_client_users_list_their_sessions_and_an_ended_one_is_refused_on_its_very_next_request(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (_, owner) = await app.SignUpWithOwnerAsync();
        var laptop = await app.ClientSignInAsync(owner.Email, owner.Password, ClientRoles.Owner);
        var admin = await app.InviteAsync(owner, ClientRoles.Admin);

        var sessions = (await (await owner.Http.GetAsync("/v1/client-users/me/sessions")).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(2, sessions.Count);
        var current = Assert.Single(sessions, s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetGuid();
        var other = Assert.Single(sessions, s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetGuid();
        var adminSession = (await (await admin.Http.GetAsync("/v1/client-users/me/sessions")).JsonAsync()).EnumerateArray().Single().GetProperty("id").GetGuid();

        await (await owner.Http.DeleteAsync($"/v1/client-users/me/sessions/{adminSession}")).AssertProblemAsync(404); // only one's own
        await (await owner.Http.DeleteAsync($"/v1/client-users/me/sessions/{Guid.NewGuid()}")).AssertProblemAsync(404);
        (await laptop.Http.GetAsync("/v1/client-users/me/sessions")).StatusCode.Is(HttpStatusCode.OK);
        (await owner.Http.DeleteAsync($"/v1/client-users/me/sessions/{other}")).StatusCode.Is(HttpStatusCode.OK);
        await (await laptop.Http.GetAsync("/v1/client-users/me/sessions")).AssertProblemAsync(401); // no grace interval
        await (await laptop.Http.GetAsync(laptop.Base + "/contacts")).AssertProblemAsync(401);
        (await admin.Http.GetAsync("/v1/client-users/me/sessions")).StatusCode.Is(HttpStatusCode.OK);
        Assert.Equal([current], (await (await owner.Http.GetAsync("/v1/client-users/me/sessions")).JsonAsync()).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
        Assert.Contains(await app.WithDbAsync((db, _) => db.AuditEvents.Select(e => e.Action).ToListAsync()), a => a == "EndClientSession");

        // ending the current one signs out
        (await owner.Http.DeleteAsync($"/v1/client-users/me/sessions/{current}")).StatusCode.Is(HttpStatusCode.OK);
        await (await owner.Http.GetAsync("/v1/client-users/me/sessions")).AssertProblemAsync(401);
    }
}
