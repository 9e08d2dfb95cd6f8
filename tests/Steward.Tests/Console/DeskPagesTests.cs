using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Steward.Access;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Console;

/// <summary>
/// The DPO's desk pages for clients, staff and grants, and the audit trail, in real Chromium. SQLite only, as the other
/// console tests: the pages call the API's use cases, whose engine behaviour the API tests cover on both engines.
/// </summary>
public sealed class DeskPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>A CEO and a DPO, a client, a support person, and a grant for them that the CEO asked through the API.</summary>
    private static async Task<(StaffUser Ceo, StaffUser Dpo, StewardApp.Tenant Tenant, StaffUser Support, Guid GrantId)> AskGrantAsync(StewardApp app)
    {
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        var requested = await ceo.Http.PostAsJsonAsync("/v1/access-grants",
            new { staffId = support.Id, clientId = tenant.ClientId, rights = new[] { "read" }, purpose = "Support ticket T-9" });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        return (ceo, dpo, tenant, support, (await requested.JsonAsync()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task P20_P07_the_clients_page_lists_each_client_with_its_status_and_grace_window()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite); // Monday 2 November 2026, 09:00 UTC
        var (_, dpo) = await app.SetUpGovernanceAsync();
        var activeName = "Active Co " + Guid.NewGuid().ToString("N")[..6];
        var leavingName = "Leaving Co " + Guid.NewGuid().ToString("N")[..6];
        await app.SignUpAsync(activeName);
        var leaving = await app.SignUpAsync(leavingName);
        Assert.Equal(HttpStatusCode.OK, (await leaving.Http.PostAsync(leaving.Base + "/cancel", null)).StatusCode);

        var page = await chromium.NewPageAsync(app);
        await StaffConsoleTests.SignInAsync(page, dpo, app);
        await page.GetByRole(AriaRole.Link, new() { Name = "Clients" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clients", Exact = true })).ToBeVisibleAsync();
        var active = page.Locator("tr.client", new() { HasText = activeName });
        await Assertions.Expect(active.Locator("td.status")).ToHaveTextAsync("active");
        var cancelled = page.Locator("tr.client", new() { HasText = leavingName });
        await Assertions.Expect(cancelled.Locator("td.status")).ToHaveTextAsync("in grace");
        // the default grace window: 90 days from the cancellation (P-20)
        await Assertions.Expect(cancelled).ToContainTextAsync("2027-01-31 (90 days left)");
        await Chromium.ScreenshotAsync(page, "staff-clients");

        // filtered by status: only the client in grace
        await page.GetByLabel("Status").SelectOptionAsync("in-grace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.client", new() { HasText = activeName })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("tr.client", new() { HasText = leavingName })).ToHaveCountAsync(1);

        // the detail: status, window and the DPA terms in force
        await page.GetByRole(AriaRole.Link, new() { Name = leavingName }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = leavingName })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("td.status")).ToHaveTextAsync("in grace (cancelled)");
        await Assertions.Expect(page.Locator("td.term-grace")).ToHaveTextAsync("90 days");
        await Chromium.ScreenshotAsync(page, "staff-client");

        // past the window the client is no longer in grace: reactivation is refused from then on
        app.Clock.Advance(TimeSpan.FromDays(91));
        var listed = await (await (await app.SignInAgainAsync(dpo)).Http.GetAsync("/v1/processor/clients?phase=cancelled")).JsonAsync();
        Assert.Contains(listed.EnumerateArray(), c => c.GetProperty("id").GetGuid() == leaving.ClientId);
    }

    [Fact]
    public async Task P16_a_grant_asked_through_the_API_is_approved_on_the_staff_page_by_the_CEO_and_then_the_DPO()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (ceo, dpo, tenant, support, grantId) = await AskGrantAsync(app);

        // the CEO's approval, on the page
        var ceoPage = await chromium.NewPageAsync(app);
        await StaffConsoleTests.SignInAsync(ceoPage, ceo, app);
        await ceoPage.GetByRole(AriaRole.Link, new() { Name = "Staff and grants" }).ClickAsync();
        await Assertions.Expect(ceoPage.Locator("tr.staff", new() { HasText = support.Id.ToString() })).ToContainTextAsync("TOTP");
        var row = ceoPage.Locator($"tr.grant[data-grant='{grantId}']");
        await Assertions.Expect(row.Locator("td.state")).ToHaveTextAsync("pending");
        await ceoPage.GetByRole(AriaRole.Button, new() { Name = $"Approve grant {grantId}" }).ClickAsync();
        await Assertions.Expect(ceoPage.GetByRole(AriaRole.Status)).ToContainTextAsync("awaits the other approval");
        await Assertions.Expect(row.Locator("td.ceo")).ToHaveTextAsync("approved");
        await Assertions.Expect(row.Locator("td.state")).ToHaveTextAsync("pending");
        // one approval per role: the CEO is not offered a second one
        await Assertions.Expect(ceoPage.GetByRole(AriaRole.Button, new() { Name = $"Approve grant {grantId}" })).ToHaveCountAsync(0);

        // the DPO's, in a session of their own
        var dpoPage = await chromium.NewPageAsync(app);
        await StaffConsoleTests.SignInAsync(dpoPage, dpo, app);
        await dpoPage.GotoAsync("/console/staff");
        await Chromium.ScreenshotAsync(dpoPage, "staff-grants");
        await dpoPage.GetByRole(AriaRole.Button, new() { Name = $"Approve grant {grantId}" }).ClickAsync();
        await Assertions.Expect(dpoPage.GetByRole(AriaRole.Status)).ToContainTextAsync("now active");
        await Assertions.Expect(dpoPage.Locator($"tr.grant[data-grant='{grantId}'] td.state")).ToContainTextAsync("active");

        // the API sees it active, with both approvals, and the events are the API's
        var grants = await (await dpo.Http.GetAsync($"/v1/access-grants?staffId={support.Id}")).JsonAsync();
        var grant = grants.EnumerateArray().Single(g => g.GetProperty("id").GetGuid() == grantId);
        Assert.Equal("active", grant.GetProperty("status").GetString());
        Assert.Equal(ceo.Id, grant.GetProperty("ceoApprovedBy").GetGuid());
        Assert.Equal(dpo.Id, grant.GetProperty("dpoApprovedBy").GetGuid());
        var events = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.ResourceId == grantId.ToString()).OrderBy(e => e.Seq)
            .Select(e => e.Action + " " + e.ActorId).ToListAsync());
        Assert.Equal([$"RequestGrant {ceo.Id}", $"ApproveGrant {ceo.Id}", $"ActivateGrant {dpo.Id}"], events);

        // revoked from the page: it stops working
        await dpoPage.GetByRole(AriaRole.Button, new() { Name = $"Revoke grant {grantId}" }).ClickAsync();
        await Assertions.Expect(dpoPage.GetByRole(AriaRole.Status)).ToContainTextAsync("revoked");
        await Assertions.Expect(dpoPage.Locator($"tr.grant[data-grant='{grantId}'] td.state")).ToHaveTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Forbidden, (await StaffExtensions.GetAsStaff(support, $"{tenant.Base}/contacts")).StatusCode);
    }

    [Fact]
    public async Task G47_the_audit_trail_filters_by_action_and_verifies_the_chain_intact()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (ceo, dpo, _, support, grantId) = await AskGrantAsync(app);

        var page = await chromium.NewPageAsync(app);
        await StaffConsoleTests.SignInAsync(page, dpo, app);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit trail" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.event").First).ToBeVisibleAsync();

        await page.GetByLabel("Action").FillAsync("RequestGrant");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = page.Locator("tr.event");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(grantId.ToString());
        await Assertions.Expect(rows.First).ToContainTextAsync(ceo.Id.ToString());
        await Assertions.Expect(rows.First.Locator("td.action")).ToHaveTextAsync("RequestGrant");

        // an action and its refinements: every sign-in, refused ones included
        await page.GetByLabel("Action").FillAsync("StaffSignIn");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(rows.First.Locator("td.action")).ToHaveTextAsync(new Regex("^StaffSignIn"));
        foreach (var action in await page.Locator("tr.event td.action").AllTextContentsAsync()) Assert.StartsWith("StaffSignIn", action, StringComparison.Ordinal);

        // a bad client id: a message next to its field, no 500
        await page.GetByLabel("Client id").FillAsync("not-an-id");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("#client-errors")).ToContainTextAsync("client id");
        await page.GetByLabel("Client id").FillAsync("");

        await page.GetByRole(AriaRole.Button, new() { Name = "Verify chain" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The audit chain is intact");
        await Chromium.ScreenshotAsync(page, "staff-audit");

        // the same use cases through the API
        var api = dpo.Http; // its API session, opened before the console's (a code works once)
        var trail = await (await api.GetAsync("/v1/processor/audit-events?action=RequestGrant")).JsonAsync();
        Assert.Equal(grantId.ToString(), Assert.Single(trail.GetProperty("items").EnumerateArray()).GetProperty("resourceId").GetString());
        // paged newest first: the next page starts below the last event of this one
        var first = await (await api.GetAsync("/v1/processor/audit-events?limit=2")).JsonAsync();
        var seqs = first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(2, seqs.Count);
        Assert.True(seqs[0] > seqs[1]);
        var before = first.GetProperty("nextBefore").GetInt64();
        Assert.Equal(seqs[1], before);
        var older = await (await api.GetAsync($"/v1/processor/audit-events?limit=2&before={before}")).JsonAsync();
        Assert.Equal(before - 1, older.GetProperty("items")[0].GetProperty("seq").GetInt64());
        var verified = await (await api.PostAsync("/v1/processor/audit-chain/verification", null)).JsonAsync();
        Assert.True(verified.GetProperty("intact").GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, (await support.Http.GetAsync("/v1/processor/audit-events")).StatusCode);
    }
}
