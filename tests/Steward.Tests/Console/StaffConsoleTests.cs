using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Steward.Access;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Console;

/// <summary>
/// The staff console in real Chromium against Steward on a real socket. SQLite only: the pages call the same use cases
/// whose engine behaviour the API tests cover on both engines, and a browser run per engine would double the time.
/// </summary>
public sealed class StaffConsoleTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Opens the desk, is sent to the sign-in form, and fills it with a code of a later time step (a code works once).</summary>
    internal static async Task FillSignInAsync(IPage page, StaffUser staff, StewardApp app)
    {
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        await page.GotoAsync("/console");
        Assert.Contains("/console/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Email address").FillAsync(staff.Email);
        await page.GetByLabel("Password").FillAsync(staff.Password);
        await page.GetByLabel("Code from your authenticator app").FillAsync(StaffExtensions.Totp(staff.TotpSecret, app.Clock.GetUtcNow()));
    }

    internal static async Task SignInAsync(IPage page, StaffUser staff, StewardApp app)
    {
        await FillSignInAsync(page, staff, app);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // the address, not the load event: under a loaded machine Playwright's wait for "load" after the redirect could time out
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console$"));
    }

    [Fact]
    public async Task ASVS_V3_the_console_over_plain_http_answers_how_to_reach_it_over_https_never_a_500()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl!) };
        foreach (var path in new[] { "/console", "/console/sign-in" })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("The console needs HTTPS", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie");
        }
        // the API stays on plain HTTP behind a proxy
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task P24_G08_the_DPO_signs_in_with_a_second_factor_and_approves_a_grant_from_the_desk()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        var requested = await ceo.Http.PostAsJsonAsync("/v1/access-grants",
            new { staffId = support.Id, clientId = tenant.ClientId, rights = new[] { "read" }, purpose = "Support ticket T-7" });
        var grantId = (await requested.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsync($"/v1/access-grants/{grantId}/approve", null)).StatusCode);

        var page = await chromium.NewPageAsync(app);
        // a wrong code: refused on the form, no session
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("Email address").FillAsync(dpo.Email);
        await page.GetByLabel("Password").FillAsync(dpo.Password);
        await page.GetByLabel("Code from your authenticator app").FillAsync("000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("wrong");
        Assert.Contains("/console/sign-in", page.Url, StringComparison.Ordinal);

        await SignInAsync(page, dpo, app);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The DPO's desk" })).ToBeVisibleAsync();
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "__Host-steward-staff");
        Assert.True(cookie is { HttpOnly: true, Secure: true, SameSite: SameSiteAttribute.Strict });
        await Assertions.Expect(page.Locator("tr.grant")).ToContainTextAsync("Support ticket T-7");
        await Chromium.ScreenshotAsync(page, "staff-desk");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Approve grant {grantId}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("now active");
        await Assertions.Expect(page.Locator("tr.grant")).ToHaveCountAsync(0);

        var grants = await (await dpo.Http.GetAsync($"/v1/access-grants?staffId={support.Id}")).JsonAsync();
        var grant = grants.EnumerateArray().Single(g => g.GetProperty("id").GetGuid() == grantId);
        Assert.Equal("active", grant.GetProperty("status").GetString());
        Assert.Equal(dpo.Id, grant.GetProperty("dpoApprovedBy").GetGuid());
        // the same audit event as the API's, by the DPO
        var activated = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "ActivateGrant" && e.ResourceId == grantId.ToString()).ToListAsync());
        Assert.Equal(dpo.Id.ToString(), Assert.Single(activated).ActorId);
    }

    [Fact]
    public async Task Art12_3_the_desk_lists_an_overdue_subject_request_first()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite); // Monday 2 November 2026
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        // made first, and a grant waiting: neither outranks a deadline that has passed
        var onTime = await Requests.RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "c@example.com" } });
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        await ceo.Http.PostAsJsonAsync("/v1/access-grants", new { staffId = support.Id, clientId = tenant.ClientId, rights = new[] { "read" }, purpose = "Support ticket T-8" });
        // received 1 October: due today, overdue tomorrow
        var late = await Requests.RequestTests.CreateRequestAsync(other, new { type = "erasure", emails = new[] { "l@example.com" }, receivedAt = "2026-10-01T12:00:00Z" });
        Assert.Equal("2026-11-02", late.GetProperty("dueOn").GetString());
        app.Clock.Advance(TimeSpan.FromDays(1));

        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, dpo, app);
        var decisions = page.Locator("li.decision");
        await Assertions.Expect(decisions.First).ToContainTextAsync(late.GetProperty("id").GetString()!);
        await Assertions.Expect(decisions.First).ToContainTextAsync("overdue: was due 2026-11-02 23:59 UTC");
        await Assertions.Expect(decisions.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("overdue"));
        await Assertions.Expect(decisions.Nth(1)).ToContainTextAsync(onTime.GetProperty("id").GetString()!);
        await Assertions.Expect(decisions.Filter(new() { HasText = "Support ticket T-8" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr.request").First).ToContainTextAsync("overdue");
        await Chromium.ScreenshotAsync(page, "staff-desk-overdue-first");

        // signing out (a form of the layout, with its antiforgery token) ends the session
        var sessions = await app.WithDbAsync((db, _) => db.StaffSessions.CountAsync(s => s.StaffId == dpo.Id && s.EndedAt == null));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/sign-in$"));
        Assert.Equal(sessions - 1, await app.WithDbAsync((db, _) => db.StaffSessions.CountAsync(s => s.StaffId == dpo.Id && s.EndedAt == null)));
    }

    [Fact]
    public async Task P18_offboarding_ends_the_console_session_on_the_next_page()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var secondDpo = await app.AddStaffAsync(ceo, Roles.Dpo);
        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, secondDpo, app);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The DPO's desk" })).ToBeVisibleAsync();

        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.PostAsync($"/v1/staff/{secondDpo.Id}/disable", null)).StatusCode);
        await page.ReloadAsync();
        Assert.Contains("/console/sign-in", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The DPO's desk" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task P14_a_role_without_the_compliance_desk_is_refused_it()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (ceo, _) = await app.SetUpGovernanceAsync();
        var developer = await app.AddStaffAsync(ceo, Roles.Development);
        var page = await chromium.NewPageAsync(app);
        await FillSignInAsync(page, developer, app);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(), r => new Uri(r.Url).AbsolutePath == "/console");
        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task ASVS_a_console_form_posted_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (_, dpo) = await app.SetUpGovernanceAsync();
        var page = await chromium.NewPageAsync(app);
        await page.GotoAsync("/console/sign-in"); // the antiforgery cookie is set, but the form's token is not sent
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        var before = await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "StaffSignIn"));
        var response = await page.APIRequest.PostAsync("/console/sign-in", new()
        {
            Form = page.APIRequest.CreateFormData()
            .Set("Email", dpo.Email).Set("Password", dpo.Password).Set("Code", StaffExtensions.Totp(dpo.TotpSecret, app.Clock.GetUtcNow()))
        });
        Assert.Equal(400, response.Status);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "__Host-steward-staff");
        Assert.Equal(before, await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "StaffSignIn")));
    }
}
