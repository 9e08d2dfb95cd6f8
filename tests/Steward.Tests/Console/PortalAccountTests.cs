using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Steward.Access;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Console;

/// <summary>
/// The client portal's account pages in real Chromium: widgets and their consent texts, agreements and their acceptance,
/// the audit log, staff with access, the team, API keys and cancellation. Each page runs the API's use case, so the
/// API sees what the portal did, with the same audit events. SQLite only, as <see cref="ClientPortalTests"/>.
/// </summary>
public sealed class PortalAccountTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Newsletter = "Send me the monthly newsletter; withdraw at any time.";
    private const string Confirm = "Your password, or a code from your authenticator app";

    /// <summary>An owner who never turned two-factor on: as on the API, password alone signs in.</summary>
    private static async Task SignInAsync(IPage page, TeamMember member)
    {
        await page.GotoAsync("/console/portal");
        await page.GetByLabel("Email address").FillAsync(member.Email);
        await page.GetByLabel("Password").FillAsync(member.Password);
        await page.GetByLabel("Password").PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/portal$"));
    }

    [Fact]
    public async Task P48_G47_P15_the_portal_shows_widgets_accepts_a_new_agreement_and_the_audit_log_shows_it_with_the_staff_with_access()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var defined = await tenant.Http.PostAsJsonAsync(tenant.Base + "/widgets", new
        {
            name = "Newsletter",
            fields = new[] { "email", "firstName" },
            purposes = new object[] { new { key = "newsletter", text = Newsletter, required = true } },
            allowedOrigins = new[] { "https://shop.example" },
            privacyNoticeUrl = "https://shop.example/privacy",
        });
        Assert.Equal(HttpStatusCode.Created, defined.StatusCode);
        var governance = await app.SetUpGovernanceAsync();
        var support = await app.AddStaffAsync(governance.Ceo, Roles.CustomerSuccess);
        await governance.GrantAsync(support, tenant.ClientId, [Rights.Read], expiresAt: app.Clock.GetUtcNow().AddDays(7));
        var published = await governance.Dpo.Http.PostAsJsonAsync("/v1/processor/agreements", new
        {
            document = "dpa",
            version = "2.0",
            title = "Data Processing Agreement",
            body = "# DPA 2.0\n\nThe processor processes personal data only on documented instructions.\n",
            effectiveFrom = app.Clock.GetUtcNow().AddDays(31),
            lawDriven = false,
            rationale = "Clearer audit terms",
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        // the next day (before signing in: a session idles out), so the audit log's day filter keeps only what follows
        app.Clock.Advance(TimeSpan.FromDays(1));
        var today = app.Clock.GetUtcNow().ToString("yyyy-MM-dd");

        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, owner);

        await page.GetByRole(AriaRole.Link, new() { Name = "Widgets" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.purpose")).ToContainTextAsync(Newsletter);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "https://shop.example/privacy" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Newsletter version 1" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "portal-widgets");

        await page.GetByRole(AriaRole.Link, new() { Name = "Agreements" }).ClickAsync();
        await page.GetByLabel("I accept dpa 2.0 on behalf of the client").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept dpa 2.0" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You accepted dpa 2.0");
        await Assertions.Expect(page.Locator("tr.version", new() { HasText = "2.0" })).ToContainTextAsync("by you");
        await Chromium.ScreenshotAsync(page, "portal-agreements");
        // the API's acceptance, by the team member
        var listed = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/agreements");
        var v2 = listed.EnumerateArray().Single(d => d.GetProperty("document").GetString() == "dpa").GetProperty("versions").EnumerateArray()
            .Single(v => v.GetProperty("version").GetString() == "2.0");
        Assert.Equal(app.Clock.GetUtcNow(), v2.GetProperty("acceptedAt").GetDateTimeOffset());
        Assert.Equal($"client-user:{owner.Id}", v2.GetProperty("acceptedBy").GetString());

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("From (day)").FillAsync(today);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var accepted = page.Locator("tr.event", new() { HasText = "AcceptAgreement" });
        await Assertions.Expect(accepted).ToHaveCountAsync(1);
        await Assertions.Expect(accepted).ToContainTextAsync($"client-user {owner.Id}");
        await Assertions.Expect(page.Locator("tr.event", new() { HasText = "DefineWidget" })).ToHaveCountAsync(0); // the day before
        await Chromium.ScreenshotAsync(page, "portal-audit-log");
        // a bad date: told next to its field
        await page.GotoAsync("/console/portal/audit-log?from=yesterday");
        await Assertions.Expect(page.Locator("#from-errors [role=alert]")).ToContainTextAsync("YYYY-MM-DD");

        await page.GetByRole(AriaRole.Link, new() { Name = "Staff with access" }).ClickAsync();
        var staff = page.Locator("tr.staff");
        await Assertions.Expect(staff).ToHaveCountAsync(1);
        await Assertions.Expect(staff).ToContainTextAsync("Staff customer-success");
        await Assertions.Expect(staff).ToContainTextAsync(app.Clock.GetUtcNow().AddDays(6).ToString("yyyy-MM-dd"));
        await Chromium.ScreenshotAsync(page, "portal-staff-with-access");
    }

    [Fact]
    public async Task P14_G46_the_portal_invites_a_team_member_and_makes_an_API_key_shown_once_that_works_until_revoked()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, owner);

        await page.GetByRole(AriaRole.Link, new() { Name = "Team" }).ClickAsync();
        var email = Canaries.Personal($"inv-{Guid.NewGuid():N}@client.example");
        var name = Canaries.Personal("Ines Quartermaine");
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Email address").FillAsync("not an address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#email-errors [role=alert]")).ToContainTextAsync("valid email address");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.Locator("select[name='Invite.Role']").SelectOptionAsync("read-only");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Invitation sent, as read-only");
        await Assertions.Expect(page.Locator("tr.member", new() { HasText = name })).ToContainTextAsync("invited");
        await Chromium.ScreenshotAsync(page, "portal-team");
        var team = await owner.Http.GetFromJsonAsync<JsonElement>(owner.Base + "/users");
        Assert.Contains(team.EnumerateArray(), m => m.GetProperty("email").GetString() == email && m.GetProperty("role").GetString() == "read-only");
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "InviteClientUser" && e.ActorId == owner.Id.ToString()).ToListAsync()));

        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await page.GetByLabel("Key name").FillAsync("CRM sync");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the key" }).ClickAsync();
        await Assertions.Expect(page.Locator("#scopes-errors [role=alert]")).ToContainTextAsync("at least one scope");
        await page.GetByLabel("contacts:read").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the key" }).ClickAsync();
        var secret = Canaries.Secret(await page.GetByLabel("Secret of CRM sync").InputValueAsync());
        Assert.StartsWith("stw_", secret, StringComparison.Ordinal);
        await Chromium.ScreenshotAsync(page, "portal-api-key-made");
        using var key = app.Anonymous();
        key.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync(tenant.Base + "/contacts")).StatusCode);
        await (await key.GetAsync(tenant.Base + "/requests")).AssertProblemAsync(403); // its scope only

        // shown once: the list never shows it again
        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("tr.key", new() { HasText = "CRM sync" })).ToContainTextAsync("contacts:read");

        await page.GetByRole(AriaRole.Link, new() { Name = "Revoke CRM sync…" }).ClickAsync();
        await page.GetByLabel(Confirm).FillAsync("not my password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirmation-errors [role=alert]")).ToContainTextAsync("not your password");
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync(tenant.Base + "/contacts")).StatusCode);
        await Chromium.ScreenshotAsync(page, "portal-api-key-revoke");
        await page.GetByLabel(Confirm).FillAsync(owner.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is revoked");
        await (await key.GetAsync(tenant.Base + "/contacts")).AssertProblemAsync(401);
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "RevokeApiKey" && e.ActorId == owner.Id.ToString()).ToListAsync()));

        // a read-only person sees neither page, as on the API
        var reader = await app.InviteAsync(owner, "read-only");
        var readerPage = await chromium.NewPageAsync(app);
        await SignInAsync(readerPage, reader);
        Assert.Equal(403, (await readerPage.GotoAsync("/console/portal/api-keys"))!.Status);
        Assert.Equal(403, (await readerPage.GotoAsync("/console/portal/team"))!.Status);
    }

    [Fact]
    public async Task P07_P47_G21_the_portal_cancels_choosing_return_shows_the_grace_window_and_returns_the_data()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        await tenant.CreateContactAsync(new { email = "ada@example.com", firstName = "Ada" });
        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, owner);

        await page.GetByRole(AriaRole.Link, new() { Name = "Cancellation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#client-status")).ToHaveTextAsync("active");
        // no choice: nothing is cancelled
        await page.GetByLabel(Confirm).FillAsync(owner.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the subscription" }).ClickAsync();
        await Assertions.Expect(page.Locator("#choice-errors [role=alert]")).ToContainTextAsync("Choose");
        Assert.Equal("active", (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base)).GetProperty("status").GetString());
        await page.GetByLabel("Return my data").CheckAsync();
        await page.GetByLabel(Confirm).FillAsync(owner.Password);
        await Chromium.ScreenshotAsync(page, "portal-cancel");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the subscription" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The subscription is cancelled");
        await Assertions.Expect(page.Locator("#client-status")).ToHaveTextAsync("cancelled");
        var purge = app.Clock.GetUtcNow().AddDays(90).ToString("yyyy-MM-dd");
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "Grace window ends" })).ToContainTextAsync(purge);
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "Choice at termination" })).ToContainTextAsync("return");

        // the API sees the client cancelled, with the choice, and the same audit events
        Assert.Equal("cancelled", (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base)).GetProperty("status").GetString());
        var client = await app.WithDbAsync((db, _) => db.Clients.SingleAsync(c => c.Id == tenant.ClientId));
        Assert.Equal("return", client.TerminationChoice);
        foreach (var action in new[] { "CancelClient", "ChooseTermination" })
            Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == action && e.ActorId == owner.Id.ToString()).ToListAsync()));

        // the return export, while cancelled
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download your data" }).ClickAsync());
        Assert.EndsWith("-1.json", download.SuggestedFilename, StringComparison.Ordinal);
        using (var returned = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)))
            Assert.Equal("ada@example.com", returned.RootElement.GetProperty("contacts")[0].GetProperty("contact").GetProperty("email").GetString());
        await page.GotoAsync("/console/portal/account");
        await Assertions.Expect(page.Locator("tr.return-export")).ToContainTextAsync("no, free");
        await Chromium.ScreenshotAsync(page, "portal-cancelled");
    }
}
