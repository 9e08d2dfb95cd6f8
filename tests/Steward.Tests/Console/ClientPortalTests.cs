using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Steward.Tests.Infrastructure;
using Steward.Tests.SubProcessors;

namespace Steward.Tests.Console;

/// <summary>
/// The client portal in real Chromium: a team member signs in with password and second factor, finds a contact by
/// email, and erases it with a second confirmation; the API and the audit see what the portal did. SQLite only, as
/// <see cref="StaffConsoleTests"/>.
/// </summary>
public sealed class ClientPortalTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Turns on the member's two-factor through the API; returns its secret.</summary>
    private static async Task<byte[]> EnrolAsync(StewardApp app, TeamMember member)
    {
        var started = await (await member.Http.PostAsync("/v1/client-users/me/totp", null)).JsonAsync();
        var secret = OtpNet.Base32Encoding.ToBytes(started.GetProperty("totpSecret").GetString()!);
        var confirmed = await member.Http.PostAsJsonAsync("/v1/client-users/me/totp/confirm", new { code = StaffExtensions.Totp(secret, app.Clock.GetUtcNow()) });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        return secret;
    }

    private static async Task SignInAsync(IPage page, TeamMember member, byte[] secret, StewardApp app)
    {
        app.Clock.Advance(TimeSpan.FromSeconds(31)); // a code works once: the next time step's
        await page.GotoAsync("/console/portal");
        Assert.Contains("/console/portal/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Email address").FillAsync(member.Email);
        await page.GetByLabel("Password").FillAsync(member.Password);
        await page.GetByLabel("Code from your authenticator app").FillAsync(StaffExtensions.Totp(secret, app.Clock.GetUtcNow()));
        await page.GetByLabel("Code from your authenticator app").PressAsync("Enter"); // the keyboard submits
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/portal$"));
    }

    [Fact]
    public async Task P02_P09_a_client_finds_a_contact_by_email_and_erases_it_after_confirming_again()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var secret = await EnrolAsync(app, owner);
        var contact = await tenant.CreateContactAsync(new { email = "ada@example.com", firstName = "Ada", lastName = "Lovelace", company = "Analytical" });
        await tenant.CreateContactAsync(new { email = "grace@example.com", firstName = "Grace", phone = "+4520112233" });
        var contactId = contact.GetProperty("id").GetGuid();

        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, owner, secret, app);
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "__Host-steward-client");
        Assert.True(cookie is { HttpOnly: true, Secure: true, SameSite: SameSiteAttribute.Strict });
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "__Host-steward-staff");

        // found through the blind index by phone, written otherwise than it was given (normalised), or by the exact address
        await page.GetByLabel("or by phone number").FillAsync("+45 20 11 22 33");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.contact")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr.contact")).ToContainTextAsync("Grace");
        await page.GetByLabel("or by phone number").FillAsync("");
        await page.GetByLabel("Find a contact by email address").FillAsync("ada@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.contact")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr.contact")).ToContainTextAsync("Ada Lovelace");
        await Chromium.ScreenshotAsync(page, "portal-contact-search");

        await page.GetByRole(AriaRole.Link, new() { Name = "ada@example.com" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "Company Analytical" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "portal-contact");

        await page.GetByRole(AriaRole.Link, new() { Name = "Erase this contact…" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Erase this contact?" })).ToBeVisibleAsync();
        // a wrong confirmation: told next to the field, nothing erased
        var confirmation = page.GetByLabel("Your password, or a code from your authenticator app");
        await confirmation.FillAsync("not my password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase for good" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirmation-errors [role=alert]")).ToContainTextAsync("not your password");
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).StatusCode);
        await Chromium.ScreenshotAsync(page, "portal-erase-confirm");

        app.Clock.Advance(TimeSpan.FromSeconds(31));
        await confirmation.FillAsync(StaffExtensions.Totp(secret, app.Clock.GetUtcNow()));
        await confirmation.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is erased");
        await Chromium.ScreenshotAsync(page, "portal-erased");

        // the API no longer finds it, by id or by email
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).AssertProblemAsync(404);
        var found = await (await tenant.Http.GetAsync($"{tenant.Base}/contacts?email=ada@example.com")).JsonAsync();
        Assert.Equal(0, found.GetProperty("items").GetArrayLength());
        // the API's audit event, by the team member
        var erased = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "EraseContact" && e.ResourceId == contactId.ToString()).ToListAsync());
        var audit = Assert.Single(erased);
        Assert.Equal(("client-user", owner.Id.ToString()), (audit.ActorType, audit.ActorId));
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "ConfirmClientUser:wrong").ToListAsync()));
    }

    [Fact]
    public async Task P14_a_read_only_member_sees_contacts_but_may_not_erase_and_the_staff_session_is_not_a_client_session()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var reader = await app.InviteAsync(owner, "read-only");
        var secret = await EnrolAsync(app, reader);
        var contact = await tenant.CreateContactAsync(new { email = "ada@example.com", firstName = "Ada" });
        var contactId = contact.GetProperty("id").GetGuid();

        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, reader, secret, app);
        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "First name Ada" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Erase this contact…" })).ToHaveCountAsync(0);
        var response = await page.GotoAsync($"/console/portal/contacts/{contactId}/erase");
        Assert.Equal(403, response!.Status);
        // another client's contact is not there for this client, as on the API
        var stranger = await app.SignUpAsync();
        var theirs = (await stranger.CreateContactAsync(new { email = "eve@example.com", firstName = "Eve" })).GetProperty("id").GetGuid();
        Assert.Equal(404, (await page.GotoAsync($"/console/portal/contacts/{theirs}"))!.Status);

        // the staff console does not take a client's session, nor the portal a staff member's
        var (_, dpo) = await app.SetUpGovernanceAsync();
        await page.GotoAsync("/console");
        Assert.Contains("/console/sign-in", page.Url, StringComparison.Ordinal);
        var staffPage = await chromium.NewPageAsync(app);
        await staffPage.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "__Host-steward-client", Value = dpo.Token, Url = app.HttpsUrl, Secure = true }]);
        await staffPage.GotoAsync("/console/portal");
        Assert.Contains("/console/portal/sign-in", staffPage.Url, StringComparison.Ordinal);

        // signing out ends the session: the old cookie is refused
        await page.GotoAsync("/console/portal");
        var token = (await page.Context.CookiesAsync()).Single(c => c.Name == "__Host-steward-client").Value;
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/portal/sign-in$"));
        using var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await (await http.GetAsync($"/v1/clients/{reader.ClientId}/contacts")).AssertProblemAsync(401);
    }

    [Fact]
    public async Task Art12_3_G13_the_portal_lists_requests_by_deadline_and_objects_to_an_announced_sub_processor_change()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var secret = await EnrolAsync(app, owner);
        var late = await Requests.RequestTests.CreateRequestAsync(tenant, new { type = "erasure", emails = new[] { "late@example.com" }, receivedAt = "2026-09-20T12:00:00Z" });
        await Requests.RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "new@example.com" } });
        var change = await app.ProposeAsync(SubProcessorFixture.Proposal("Analytica", "IE"));
        await app.RecordEvidenceAsync(change.GetProperty("subProcessorId").GetGuid());
        await app.DeliverMailAsync();

        var page = await chromium.NewPageAsync(app);
        await SignInAsync(page, owner, secret, app);
        await page.GetByRole(AriaRole.Link, new() { Name = "Requests" }).ClickAsync();
        var rows = page.Locator("tr.request");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.First).ToContainTextAsync(late.GetProperty("id").GetString()!);
        await Assertions.Expect(rows.First).ToContainTextAsync("2026-10-20 (overdue)");
        await Chromium.ScreenshotAsync(page, "portal-requests");

        await page.GetByRole(AriaRole.Link, new() { Name = "Sub-processors" }).ClickAsync();
        var reason = page.GetByLabel("Reasons for objecting to Analytica");
        await reason.FillAsync("No.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Object" }).ClickAsync();
        await Assertions.Expect(page.Locator($"#reason-{change.GetProperty("id").GetString()} [role=alert]")).ToContainTextAsync("concrete reasons");
        await reason.FillAsync("Our customers are public bodies that forbid analytics vendors.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Object" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("objection is recorded");
        await Assertions.Expect(page.Locator("tr.change")).ToContainTextAsync("open");
        await Chromium.ScreenshotAsync(page, "portal-sub-processors");

        // the API's objection and audit event
        var seen = await owner.Http.GetFromJsonAsync<System.Text.Json.JsonElement>(owner.Base + "/subprocessor-changes");
        Assert.Equal("Our customers are public bodies that forbid analytics vendors.", seen[0].GetProperty("objection").GetProperty("reason").GetString());
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "ObjectToSubProcessor" && e.ActorId == owner.Id.ToString()).ToListAsync()));
    }
}
