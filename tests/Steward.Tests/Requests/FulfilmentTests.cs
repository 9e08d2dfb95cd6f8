using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Requests;
using Steward.Tests.Consents;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Requests;

public sealed class FulfilmentTests
{
    private static Task<StewardApp> StartAsync(Engine engine) => StewardApp.StartAsync(engine, s =>
    {
        s["Steward:Alerts:Recipients:0"] = "ceo@processor.example";
        s["Steward:Alerts:Recipients:1"] = "dpo@processor.example";
    });

    /// <summary>A client-recorded request about this email, verified, ready to carry out.</summary>
    private static async Task<JsonElement> VerifiedAsync(StewardApp.Tenant tenant, string type, string email)
    {
        var request = await RequestTests.CreateRequestAsync(tenant, new { type, emails = new[] { email } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, request, "verified")).StatusCode);
        return request;
    }

    private static Task<HttpResponseMessage> FulfilAsync(StewardApp.Tenant tenant, JsonElement request, string? format = null) =>
        tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/fulfilment", new { format });

    [Theory, ClassData(typeof(Engines))]
    public async Task Art15_P10_P25_the_access_package_holds_everything_with_the_art15_information_downloads_once_and_alerts_the_ceo_and_dpo(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync("Acme Shop");
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "plan", type = "text", required = false } });
        var contactId = (await tenant.CreateContactAsync(new Dictionary<string, object?>(ContactTests.Jane) { ["custom"] = new { plan = "gold" } })).GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions", new { fields = new { email = "jane.doe@example.com" }, consents = new { newsletter = true } });
        var request = await VerifiedAsync(tenant, "access", "jane.doe@example.com");

        var fulfilled = await (await FulfilAsync(tenant, request)).JsonAsync();
        var package = fulfilled.GetProperty("package");
        Assert.Equal((1, false, "json"), (package.GetProperty("copy").GetInt32(), package.GetProperty("chargeable").GetBoolean(), package.GetProperty("format").GetString()));
        Assert.Equal("completed", fulfilled.GetProperty("request").GetProperty("status").GetString());
        Assert.Equal("package-sent", fulfilled.GetProperty("request").GetProperty("steps").EnumerateArray().Last().GetProperty("action").GetString());
        var url = package.GetProperty("downloadUrl").GetString()!;

        // the subject gets the link; the CEO and the DPO get the alert, with no personal value
        Assert.Contains(url, Assert.Single(await app.ReadAsync("request-package"), m => m.To == "jane.doe@example.com").Body, StringComparison.Ordinal);
        var alerts = await app.ReadAsync("export-alert");
        Assert.Equal(["ceo@processor.example", "dpo@processor.example"], alerts.Select(a => a.To).Order(StringComparer.Ordinal));
        Assert.All(alerts, a => Assert.Equal(tenant.ClientId, a.ClientId));
        Assert.All(alerts, a => Assert.Contains("dsr-package", a.Body, StringComparison.Ordinal));
        Assert.All(alerts, a => Assert.DoesNotContain("jane", a.Body, StringComparison.OrdinalIgnoreCase));

        var download = await app.Anonymous().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/json", download.Content.Headers.ContentType?.MediaType);
        var text = await download.Content.ReadAsStringAsync();
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"issue3-access-package-{engine}.json"), text);
        var p = JsonDocument.Parse(text).RootElement;
        var subject = p.GetProperty("subject");
        Assert.Equal(contactId, subject.GetProperty("id").GetGuid());
        Assert.Equal(("Jane", "gold"), (subject.GetProperty("firstName").GetString(), subject.GetProperty("custom").GetProperty("plan").GetString()));
        var consent = Assert.Single(p.GetProperty("consents").EnumerateArray());
        Assert.Equal(("newsletter", ConsentTests.NewsletterText), (consent.GetProperty("purpose").GetString(), consent.GetProperty("text").GetString()));
        Assert.Equal("203.0.113.7", consent.GetProperty("ipAddress").GetString()); // the proof travels with it
        Assert.Equal(request.GetProperty("id").GetGuid(), Assert.Single(p.GetProperty("requests").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Contains(p.GetProperty("auditEvents").EnumerateArray(), e => e.GetProperty("action").GetString() == "CreateContact");
        var info = p.GetProperty("information");
        Assert.Equal("Acme Shop", info.GetProperty("controller").GetString());
        Assert.Contains(ConsentTests.NewsletterText, info.GetProperty("purposes").EnumerateArray().Select(x => x.GetString()));
        Assert.Contains("custom.plan", info.GetProperty("categories").EnumerateArray().Select(x => x.GetString()));
        foreach (var part in new[] { "recipients", "retention", "rights", "complaint", "source", "automatedDecisions" })
            Assert.False(string.IsNullOrWhiteSpace(info.GetProperty(part).GetString()), part);

        // once only, and the package is gone from the store with its key
        await (await app.Anonymous().GetAsync(url)).AssertProblemAsync(410);
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, package.GetProperty("exportId").GetGuid(), default));
        await (await app.Anonymous().GetAsync(url[..^4] + "AAAA")).AssertProblemAsync(404);

        // a further copy is counted, and may carry a fee (Art. 15(3)); a closed request is not carried out twice
        var again = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "portability", "jane.doe@example.com"))).JsonAsync();
        Assert.Equal((2, true), (again.GetProperty("package").GetProperty("copy").GetInt32(), again.GetProperty("package").GetProperty("chargeable").GetBoolean()));
        await (await FulfilAsync(tenant, request)).AssertProblemAsync(409);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P25_the_alert_of_a_subject_package_export_reaches_the_ceo_and_the_dpo_at_a_real_smtp_server(Engine engine)
    {
        var ceo = $"ceo-{Guid.NewGuid():N}@processor.example";
        var dpo = $"dpo-{Guid.NewGuid():N}@processor.example";
        var port = Mailbox.SmtpPort();
        await using var app = await StewardApp.StartAsync(engine, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            s["Steward:Mail:Security"] = "None";
            s["Steward:Alerts:Recipients:0"] = ceo;
            s["Steward:Alerts:Recipients:1"] = dpo;
        });
        var tenant = await app.SignUpAsync();
        var subject = $"subject-{Guid.NewGuid():N}@example.com";
        await tenant.CreateContactAsync(new { email = subject, firstName = "Sam" });
        Assert.Equal(HttpStatusCode.OK, (await FulfilAsync(tenant, await VerifiedAsync(tenant, "access", subject))).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Steward.Notifications.DeliverNotifications>().HandleAsync(50, default);
        foreach (var to in new[] { ceo, dpo })
        {
            var mail = Assert.Single(await Mailbox.ReceivedAsync(to));
            Assert.Contains(tenant.ClientId.ToString(), mail.Subject, StringComparison.Ordinal);
            Assert.Contains("Channel: dsr-package", mail.Text, StringComparison.Ordinal);
            Assert.Contains("Records: ", mail.Text, StringComparison.Ordinal);
            Assert.Contains("Who:     api-key", mail.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(subject, mail.Text, StringComparison.Ordinal);
        }
        // the subject's link went out through the same server
        Assert.Contains("/v1/public/exports/", Assert.Single(await Mailbox.ReceivedAsync(subject)).Text, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art20_the_csv_package_cannot_run_as_a_spreadsheet_formula_and_the_link_expires(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(new { email = "mallory@example.com", firstName = "=HYPERLINK(\"http://evil.example\",\"x\")", company = "+cmd|' /C calc'!A0", title = "@SUM(1+1)", bio = "-2+3" });
        var fulfilled = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "portability", "mallory@example.com"), "csv")).JsonAsync();
        var csv = await app.Anonymous().GetStringAsync(fulfilled.GetProperty("package").GetProperty("downloadUrl").GetString());

        Assert.StartsWith("path,value\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("\"subject.firstName\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", csv, StringComparison.Ordinal);
        Assert.Contains("\"subject.company\",\"'+cmd", csv, StringComparison.Ordinal);
        Assert.Contains("\"subject.title\",\"'@SUM(1+1)\"", csv, StringComparison.Ordinal);
        Assert.Contains("\"subject.bio\",\"'-2+3\"", csv, StringComparison.Ordinal);
        foreach (var line in csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            Assert.DoesNotMatch("(^|,)\"[=+\\-@\\t\\r]", line);

        var late = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "access", "mallory@example.com"))).JsonAsync();
        app.Clock.Advance(TimeSpan.FromHours(25));
        await (await app.Anonymous().GetAsync(late.GetProperty("package").GetProperty("downloadUrl").GetString())).AssertProblemAsync(410);
    }

    [Theory]
    [InlineData("=1+1", "\"'=1+1\"")]
    [InlineData("+1", "\"'+1\"")]
    [InlineData("-1", "\"'-1\"")]
    [InlineData("@x", "\"'@x\"")]
    [InlineData("\tx", "\"'\tx\"")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("plain \"quoted\"", "\"plain \"\"quoted\"\"\"")]
    public void Csv_cells_starting_with_a_formula_character_are_prefixed_with_an_apostrophe(string value, string cell) =>
        Assert.Equal(cell, AccessPackage.Cell(value));

    [Theory, ClassData(typeof(Engines))]
    public async Task Art17_P21_an_erasure_request_shreds_the_contact_and_keeps_a_certificate_of_every_store_cleared(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var contactId = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var access = await (await FulfilAsync(tenant, await VerifiedAsync(tenant, "access", "jane.doe@example.com"))).JsonAsync();
        var request = await VerifiedAsync(tenant, "erasure", "jane.doe@example.com");

        var erased = await (await FulfilAsync(tenant, request)).JsonAsync();
        var certificate = erased.GetProperty("certificate");
        Assert.Equal(["forget ledger", "key vault", "data", "access packages"], certificate.GetProperty("storesCleared").EnumerateArray().Select(s => s.GetProperty("store").GetString()));
        Assert.Equal("none", certificate.GetProperty("propagation")[0].GetProperty("status").GetString()); // nobody receives this client's data: nothing to tell
        Assert.False(certificate.GetProperty("restorable").GetBoolean());
        Assert.DoesNotContain("jane", certificate.GetRawText(), StringComparison.OrdinalIgnoreCase);

        var after = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests/{request.GetProperty("id")}");
        Assert.Equal("completed", after.GetProperty("status").GetString());
        Assert.Equal(contactId, after.GetProperty("certificate").GetProperty("contact").GetGuid());
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contactId}")).AssertProblemAsync(404);
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, contactId, default));
        // the package made before the erasure can no longer be downloaded
        await (await app.Anonymous().GetAsync(access.GetProperty("package").GetProperty("downloadUrl").GetString())).AssertProblemAsync(410);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art12_6_nothing_is_carried_out_for_a_request_whose_subject_is_not_verified(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(ContactTests.Jane);
        var id = await PublicRequestTests.SubmitAsync(app, tenant, "access", "jane.doe@example.com");
        await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{id}/fulfilment", new { format = "json" })).AssertProblemAsync(409);
        var erasure = await PublicRequestTests.SubmitAsync(app, tenant, "erasure", "jane.doe@example.com");
        await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{erasure}/fulfilment", new { format = (string?)null })).AssertProblemAsync(409);
        Assert.Empty(await app.ReadAsync("export-alert"));
        Assert.Single((await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email=jane.doe@example.com")).GetProperty("items").EnumerateArray());
    }
}
