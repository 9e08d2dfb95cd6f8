using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Steward.Access;
using Steward.Tests.Infrastructure;
using static Steward.Tests.Infrastructure.StaffExtensions;

namespace Steward.Tests.Access;

public sealed class AuditorTests
{
    private const string Reason = "audit A-2026-1";

    [Theory, ClassData(typeof(Engines))]
    public async Task P45_G19_an_auditor_reads_only_the_appointing_clients_access_log_and_only_until_the_grant_ends(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        await tenant.CreateContactAsync(new { email = "jane@example.com" });
        await other.CreateContactAsync(new { email = "bob@example.com" });
        // the confidentiality undertaking is the auditor's NDA, recorded before any grant
        var auditor = await app.AddStaffAsync(governance.Ceo, Roles.Auditor);

        // time-boxed and for one client, or refused
        await (await governance.Ceo.Http.PostAsJsonAsync("/v1/access-grants",
            new { staffId = auditor.Id, clientId = tenant.ClientId, rights = new[] { "audit-log" }, purpose = "Audit A-2026-1" })).AssertProblemAsync(400);
        await (await governance.Ceo.Http.PostAsJsonAsync("/v1/access-grants", new
        {
            staffId = auditor.Id,
            rights = new[] { "audit-log" },
            purpose = "Audit A-2026-1",
            expiresAt = app.Clock.GetUtcNow().AddDays(14)
        })).AssertProblemAsync(400);
        // an auditor's role holds no right on the personal data itself
        await (await governance.Ceo.Http.PostAsJsonAsync("/v1/access-grants", new
        {
            staffId = auditor.Id,
            clientId = tenant.ClientId,
            rights = new[] { "read" },
            purpose = "Audit A-2026-1",
            expiresAt = app.Clock.GetUtcNow().AddDays(14)
        })).AssertProblemAsync(400);
        await governance.GrantAsync(auditor, tenant.ClientId, ["audit-log"], expiresAt: app.Clock.GetUtcNow().AddDays(14));

        var log = await GetAsStaff(auditor, tenant.Base + "/access-log", Reason);
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        var items = (await log.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, e => e.GetProperty("action").GetString() == "CreateContact");
        // the auditor's own reading is itself in the log, with the reason
        var again = (await (await GetAsStaff(auditor, tenant.Base + "/access-log", Reason)).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(again, e => e.GetProperty("actorId").GetString() == auditor.Id.ToString() && e.GetProperty("reason").GetString() == "audit A-2026-1");

        // read only, and that client only
        await (await GetAsStaff(auditor, tenant.Base + "/contacts", Reason)).AssertProblemAsync(403);
        await (await auditor.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, tenant.Base + "/contacts")
        { Content = JsonContent.Create(new { email = "x@example.com" }) }.WithReason())).AssertProblemAsync(403);
        await (await GetAsStaff(auditor, other.Base + "/access-log", Reason)).AssertProblemAsync(403);

        // the client reads its own log, and sees none of the other client's events; the auditor's refused attempt is in it
        var own = (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/access-log?limit=1000")).GetProperty("items").EnumerateArray().ToList();
        Assert.Single(own, e => e.GetProperty("action").GetString() == "CreateContact" && e.GetProperty("status").GetInt32() == 201);
        Assert.Contains(own, e => e.GetProperty("actorId").GetString() == auditor.Id.ToString() && e.GetProperty("status").GetInt32() == 403);
        await (await other.Http.GetAsync(tenant.Base + "/access-log")).AssertProblemAsync(404);

        // the grant ends by itself, on the first request after its end
        app.Clock.Advance(TimeSpan.FromDays(13));
        Assert.Equal(HttpStatusCode.OK, (await GetAsStaff(await app.SignInAgainAsync(auditor), tenant.Base + "/access-log", Reason)).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await (await GetAsStaff(await app.SignInAgainAsync(auditor), tenant.Base + "/access-log", Reason)).AssertProblemAsync(403);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G47_the_access_log_takes_a_period_at_any_utc_offset(Engine engine) // found by the hostile-input suite
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var log = await tenant.Http.GetAsync(tenant.Base + "/access-log?from=" + Uri.EscapeDataString("1970-01-01T00:00:00+14:00")
            + "&to=" + Uri.EscapeDataString("2100-01-01T00:00:00-12:00"));
        Assert.True(log.IsSuccessStatusCode, await log.Content.ReadAsStringAsync());
        Assert.NotEmpty((await log.JsonAsync()).GetProperty("items").EnumerateArray()); // the sign-up is in it
    }
}
