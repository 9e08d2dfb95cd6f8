using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;
using Steward.Tests.Requests;

namespace Steward.Tests.SubProcessors;

/// <summary>Art 15 at the third parties: an access package holds what each vendor that received the person's data returns.</summary>
public sealed class VendorAccessTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Art15_P09_the_access_package_holds_what_each_vendor_returns_every_page_followed_and_bounded(Engine engine)
    {
        await using var vendors = await VendorEmulator.StartAsync(RandomNumberGenerator.GetBytes(32));
        await using var app = await SubProcessorFixture.StartWithEmulatorSecretsAsync(engine);
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("Zendesk EU", "DE"), SubProcessorFixture.Proposal("Intercom EU", "IE"),
            SubProcessorFixture.Proposal("Segment EU", "IE"), SubProcessorFixture.Proposal("Endless Vendor", "NL"), SubProcessorFixture.Proposal("Paper Vendor", "AT"));
        await app.RecordEvidenceAsync(ids[0], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "zendesk", variables = new { baseUrl = vendors.BaseUrl } } });
        await app.RecordEvidenceAsync(ids[1], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "intercom", variables = new { baseUrl = vendors.BaseUrl } } });
        await app.RecordEvidenceAsync(ids[2], new() { ["connector"] = "http", ["connectorSpec"] = new { preset = "segment", variables = new { baseUrl = vendors.BaseUrl } } });
        await app.RecordEvidenceAsync(ids[3], new()
        {
            ["connector"] = "http",
            ["connectorSpec"] = new
            {
                url = vendors.BaseUrl + "/api/erase",
                headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {secret:vendor}" },
                access = new[] { new { name = "records", method = "GET", url = vendors.BaseUrl + "/api/loop?cursor={cursor}", itemsPath = "items", nextPath = "next", maxPages = 3 } },
            },
        });
        // an access call naming the vendor's {id} needs a lookup to find it
        await (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/admin/subprocessors/{ids[3]}/evidence", new
        {
            connector = "http",
            connectorSpec = new { url = vendors.BaseUrl + "/api/erase", access = new[] { new { url = vendors.BaseUrl + "/api/users/{id}" } } },
        })).AssertProblemAsync(400);

        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(ContactTests.Jane);
        var request = await RequestTests.CreateRequestAsync(tenant, new { type = "access", emails = new[] { "jane.doe@example.com" } });
        Assert.Equal(HttpStatusCode.OK, (await RequestTests.MoveAsync(tenant, request, "verified")).StatusCode);
        var fulfilled = await (await tenant.Http.PostAsJsonAsync($"{tenant.Base}/requests/{request.GetProperty("id")}/fulfilment", new { format = "json" })).JsonAsync();

        // the certificate: a receipt per vendor, no personal value
        var receipts = fulfilled.GetProperty("certificate").GetProperty("subProcessors").EnumerateArray().ToDictionary(r => r.GetProperty("subProcessor").GetString()!);
        Assert.Equal(["Endless Vendor", "Intercom EU", "Paper Vendor", "Segment EU", "Zendesk EU"], receipts.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("jane", fulfilled.GetProperty("certificate").GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(("answered", 3, 4), Receipt(receipts["Zendesk EU"])); // the user (1 page), its 3 identities (2 pages, by link)
        Assert.Equal(("answered", 2, 2), Receipt(receipts["Intercom EU"])); // the user and the lead (2 pages, by cursor)
        Assert.Equal(("answered", 3, 3), Receipt(receipts["Endless Vendor"])); // bounded: 3 pages, then it stops
        Assert.Equal(3, vendors.LoopPages);
        Assert.Equal("no access call", receipts["Segment EU"].GetProperty("status").GetString());
        Assert.Equal("no access call", receipts["Paper Vendor"].GetProperty("status").GetString());

        // the package: what each vendor returned
        var download = await app.Anonymous().GetAsync(fulfilled.GetProperty("package").GetProperty("downloadUrl").GetString());
        var package = JsonDocument.Parse(await download.Content.ReadAsStringAsync()).RootElement;
        var answers = package.GetProperty("subProcessors").EnumerateArray().ToDictionary(r => r.GetProperty("subProcessor").GetString()!);
        var zendesk = answers["Zendesk EU"].GetProperty("data");
        Assert.Equal("jane.doe@example.com", Assert.Single(zendesk.GetProperty("users").EnumerateArray()).GetProperty("email").GetString());
        Assert.Equal(["email", "phone_number", "twitter"], zendesk.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        Assert.Equal(["64f1c0ffee", "64f1c0ffef"], answers["Intercom EU"].GetProperty("data").GetProperty("contacts").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Contains("stopped after 3 pages", answers["Endless Vendor"].GetProperty("response").GetString());
        Assert.Contains("no call that returns what a workspace holds", answers["Segment EU"].GetProperty("response").GetString());
        Assert.Contains("ask the vendor", answers["Paper Vendor"].GetProperty("response").GetString());
    }

    private static (string?, int, int) Receipt(JsonElement r) =>
        (r.GetProperty("status").GetString(), r.GetProperty("pages").GetInt32(), r.GetProperty("items").GetInt32());
}
