using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Steward.Access;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Console;

/// <summary>
/// The client portal's pages for one contact, in real Chromium: correct it, restrict and lift, delete to the trash,
/// read its consent proof, export it; each through the API's use case, seen afterwards by the API. SQLite only, as
/// <see cref="ClientPortalTests"/>.
/// </summary>
public sealed class PortalContactTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static async Task<(IPage Page, byte[] Secret)> SignedInAsync(Chromium chromium, StewardApp app, TeamMember member)
    {
        var started = await (await member.Http.PostAsync("/v1/client-users/me/totp", null)).JsonAsync();
        var secret = OtpNet.Base32Encoding.ToBytes(started.GetProperty("totpSecret").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.PostAsJsonAsync("/v1/client-users/me/totp/confirm",
            new { code = StaffExtensions.Totp(secret, app.Clock.GetUtcNow()) })).StatusCode);
        var page = await chromium.NewPageAsync(app);
        await page.GotoAsync("/console/portal/sign-in");
        await SignInAsync(page, app, member, secret);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/portal$"));
        return (page, secret);
    }

    /// <summary>Fills the sign-in page the browser is on; it goes back where it was sent from.</summary>
    private static async Task SignInAsync(IPage page, StewardApp app, TeamMember member, byte[] secret)
    {
        app.Clock.Advance(TimeSpan.FromSeconds(31)); // a code works once: the next time step's
        await page.GetByLabel("Email address").FillAsync(member.Email);
        await page.GetByLabel("Password").FillAsync(member.Password);
        await page.GetByLabel("Code from your authenticator app").FillAsync(StaffExtensions.Totp(secret, app.Clock.GetUtcNow()));
        await page.GetByLabel("Code from your authenticator app").PressAsync("Enter");
    }

    [Fact]
    public async Task Art16_Art18_a_client_corrects_a_contact_past_a_field_error_then_restricts_it_on_a_ground_and_lifts_it_after_telling_the_subject()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "seats", type = "number", required = false } })).StatusCode);
        var contactId = (await tenant.CreateContactAsync(new { email = "ada@example.com", firstName = "Ada", custom = new { seats = 3 } })).GetProperty("id").GetGuid();
        var (page, secret) = await SignedInAsync(chromium, app, owner);

        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Correct" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Email")).ToHaveValueAsync("ada@example.com");
        // bad values: each error next to its field, nothing saved
        await page.GetByLabel("Email").FillAsync("ada-at-example");
        await page.GetByLabel("seats").FillAsync("many");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the correction" }).ClickAsync();
        await Assertions.Expect(page.Locator("#email-errors [role=alert]")).ToContainTextAsync("Not a valid email address");
        await Assertions.Expect(page.Locator("#custom-seats-errors [role=alert]")).ToContainTextAsync("Must be a number");
        await Chromium.ScreenshotAsync(page, "portal-rectify-errors");
        Assert.Equal("ada@example.com", (await ApiContactAsync(tenant, contactId)).GetProperty("email").GetString());

        var corrected = Canaries.Personal("ada.byron@example.com");
        await page.GetByLabel("Email").FillAsync(corrected);
        await page.GetByLabel("seats").FillAsync("5");
        await page.GetByLabel("Last name").FillAsync(Canaries.Personal("Byron"));
        await page.GetByLabel("Last name").PressAsync("Enter"); // the keyboard submits
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is corrected");
        await Chromium.ScreenshotAsync(page, "portal-rectified");
        var seen = await ApiContactAsync(tenant, contactId);
        Assert.Equal((corrected, "Byron", "Ada", 5), (seen.GetProperty("email").GetString(), seen.GetProperty("lastName").GetString(),
            seen.GetProperty("firstName").GetString(), seen.GetProperty("custom").GetProperty("seats").GetInt32()));
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "RectifyContact" && e.ActorId == owner.Id.ToString()).ToListAsync()));

        // restrict: a ground is required
        await page.GotoAsync($"/console/portal/contacts/{contactId}/restriction");
        await Assertions.Expect(page.Locator("#restriction-status")).ToContainTextAsync("Not restricted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restrict processing" }).ClickAsync();
        await Assertions.Expect(page.Locator("#ground-errors [role=alert]")).ToContainTextAsync("Choose the ground");
        await page.GetByLabel("Why the processing is restricted").SelectOptionAsync("accuracy-contested");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restrict processing" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is restricted");
        await Assertions.Expect(page.Locator("#restriction-status")).ToContainTextAsync("contests the accuracy");
        await Chromium.ScreenshotAsync(page, "portal-restricted");
        // the API sees it restricted: its values only with a reason
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).AssertProblemAsync(403);
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "RestrictContact" && e.ActorId == owner.Id.ToString()).ToListAsync()));
        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        await Assertions.Expect(page.GetByText("processing is restricted")).ToBeVisibleAsync();

        // lift: the subject is told first, the lift waits for the notice period
        await page.GetByRole(AriaRole.Navigation, new() { Name = "This contact" }).GetByRole(AriaRole.Link, new() { Name = "Restriction" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Tell the subject" }).ClickAsync();
        await Assertions.Expect(page.Locator("#reason-errors [role=alert]")).ToContainTextAsync("Why the restriction ends");
        await page.GetByLabel("Why the restriction ends, as the subject will read it").FillAsync("The accuracy check is done.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Tell the subject" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("subject is told");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lift the restriction" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.error[role=alert]")).ToContainTextAsync("can be lifted from");
        await Chromium.ScreenshotAsync(page, "portal-restriction-notice");
        app.Clock.Advance(TimeSpan.FromHours(25));
        await page.GotoAsync($"/console/portal/contacts/{contactId}/restriction"); // a day later the session has lapsed: sign in again, back to the page
        await SignInAsync(page, app, owner, secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Lift the restriction" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is lifted");
        await Assertions.Expect(page.Locator("#restriction-status")).ToContainTextAsync("Not restricted");
        await Chromium.ScreenshotAsync(page, "portal-restriction-lifted");
        Assert.Equal(JsonValueKind.Null, (await ApiContactAsync(tenant, contactId)).GetProperty("restrictedAt").ValueKind);
    }

    [Fact]
    public async Task G44_P03_Art15_a_client_reads_the_consent_proof_exports_a_contact_and_deletes_it_to_the_trash_after_confirming_again()
    {
        // GenieBelt's support may modify client data (G-34): restoring from the trash is its service (G-44)
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite, s => s["Steward:Access:Matrix"] = "GenieBelt");
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var widget = await tenant.Http.PostAsJsonAsync(tenant.Base + "/widgets", new
        {
            name = "Sign-up",
            fields = new[] { "email", "firstName" },
            purposes = new[] { new { key = "newsletter", text = "Send me the newsletter", required = false } },
        });
        Assert.Equal(HttpStatusCode.Created, widget.StatusCode);
        var widgetId = (await widget.JsonAsync()).GetProperty("id").GetGuid();
        var submitted = await app.Anonymous().PostAsJsonAsync($"/v1/public/widgets/{widgetId}/submissions",
            Canaries.PersonalIn(new { fields = new { email = "grace@example.com", firstName = "Grace" }, consents = new { newsletter = true } }));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        var contactId = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=grace@example.com")).GetProperty("items")[0].GetProperty("id").GetGuid();
        var (page, secret) = await SignedInAsync(chromium, app, owner);

        // the consent proof, as the API gives it
        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Consent proof" }).ClickAsync();
        var consent = page.Locator("tr.consent");
        await Assertions.Expect(consent).ToHaveCountAsync(1);
        await Assertions.Expect(consent).ToContainTextAsync("newsletter");
        await Assertions.Expect(consent).ToContainTextAsync("Send me the newsletter");
        await Assertions.Expect(consent).ToContainTextAsync("given");
        await Assertions.Expect(consent).ToContainTextAsync(widgetId.ToString());
        var proof = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contactId}/consents"))[0];
        await Assertions.Expect(consent).ToContainTextAsync(proof.GetProperty("textSha256").GetString()!);
        await Assertions.Expect(consent).ToContainTextAsync(proof.GetProperty("ipAddress").GetString()!);
        await Chromium.ScreenshotAsync(page, "portal-consent-proof");

        // the client's copy of the contact: a JSON download, with the export alert
        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "This contact" }).GetByRole(AriaRole.Link, new() { Name = "Export" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "portal-contact-export");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download JSON" }).ClickAsync());
        Assert.EndsWith(".json", download.SuggestedFilename, StringComparison.Ordinal);
        JsonElement copy;
        await using (var stream = await download.CreateReadStreamAsync()) copy = await JsonSerializer.DeserializeAsync<JsonElement>(stream);
        var subject = copy.GetProperty("subjects")[0];
        Assert.Equal("grace@example.com", subject.GetProperty("subject").GetProperty("email").GetString());
        Assert.Equal("newsletter", subject.GetProperty("consents")[0].GetProperty("purpose").GetString());
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "ExportContact" && e.ResourceId == contactId.ToString()).ToListAsync()));

        // the whole client's return export, from the portal
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Client portal" }).GetByRole(AriaRole.Link, new() { Name = "Export" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "portal-export");
        var all = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        await using (var stream = await all.CreateReadStreamAsync()) copy = await JsonSerializer.DeserializeAsync<JsonElement>(stream);
        Assert.Equal(contactId, copy.GetProperty("contacts")[0].GetProperty("contact").GetProperty("id").GetGuid());
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "ExportClientData" && e.ActorId == owner.Id.ToString()).ToListAsync()));

        // delete to the trash: asks again
        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete to the trash…" }).ClickAsync();
        var confirmation = page.GetByLabel("Your password, or a code from your authenticator app");
        await confirmation.FillAsync("not my password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete to the trash" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirmation-errors [role=alert]")).ToContainTextAsync("not your password");
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).StatusCode);
        await Chromium.ScreenshotAsync(page, "portal-delete-confirm");
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        await confirmation.FillAsync(StaffExtensions.Totp(secret, app.Clock.GetUtcNow()));
        await confirmation.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is in the trash");
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).AssertProblemAsync(404);
        Assert.Single(await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "DeleteContact" && e.ActorId == owner.Id.ToString()).ToListAsync()));

        // the trash lists it with the day it is erased; restoring is support's
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the trash" }).ClickAsync();
        var trashed = page.Locator("tr.trashed");
        await Assertions.Expect(trashed).ToHaveCountAsync(1);
        await Assertions.Expect(trashed).ToContainTextAsync("grace@example.com");
        await Assertions.Expect(trashed).ToContainTextAsync(contactId.ToString());
        await Chromium.ScreenshotAsync(page, "portal-trash");
        var governance = await app.SetUpGovernanceAsync();
        var support = await app.AddStaffAsync(governance.Ceo, Roles.CustomerSuccess);
        await governance.GrantAsync(support, tenant.ClientId, [Rights.Read, Rights.Modify]);
        Assert.Equal(HttpStatusCode.OK, (await support.Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, $"{tenant.Base}/contacts/{contactId}/restore").WithReason())).StatusCode);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByText("The trash is empty.")).ToBeVisibleAsync();
        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "First name Grace" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task P14_a_read_only_member_sees_the_restriction_consents_and_trash_but_may_not_correct_restrict_delete_or_export()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var (tenant, owner) = await app.SignUpWithOwnerAsync();
        var reader = await app.InviteAsync(owner, "read-only");
        var contactId = (await tenant.CreateContactAsync(new { email = "ada@example.com", firstName = "Ada" })).GetProperty("id").GetGuid();
        var (page, _) = await SignedInAsync(chromium, app, reader);

        await page.GotoAsync($"/console/portal/contacts/{contactId}");
        var actions = page.GetByRole(AriaRole.Navigation, new() { Name = "This contact" });
        await Assertions.Expect(actions.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Restriction", "Consent proof"]);
        foreach (var path in new[] { "rectify", "delete", "export" })
            Assert.Equal(403, (await page.GotoAsync($"/console/portal/contacts/{contactId}/{path}"))!.Status);
        Assert.Equal(403, (await page.GotoAsync("/console/portal/return-exports"))!.Status);
        await page.GotoAsync($"/console/portal/contacts/{contactId}/restriction");
        await Assertions.Expect(page.Locator("#restriction-status")).ToContainTextAsync("Not restricted");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Restrict processing" })).ToHaveCountAsync(0);
        Assert.Equal(200, (await page.GotoAsync("/console/portal/trash"))!.Status);
        // another client's contact is not there for this client, as on the API
        var theirs = (await (await app.SignUpAsync()).CreateContactAsync(new { email = "eve@example.com" })).GetProperty("id").GetGuid();
        foreach (var path in new[] { "restriction", "consents" })
            Assert.Equal(404, (await page.GotoAsync($"/console/portal/contacts/{theirs}/{path}"))!.Status);
    }

    private static Task<JsonElement> ApiContactAsync(StewardApp.Tenant tenant, Guid contactId) =>
        tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contactId}");
}
