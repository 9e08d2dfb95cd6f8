using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.SubProcessors;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;
using Steward.Tests.SubProcessors;

namespace Steward.Tests.Records;

public sealed class InventoryTests
{
    /// <remarks>That a full export of all tenant data is always possible is proved by
    /// Retention.ReturnExportTests.G21_P47_the_return_export_is_complete_the_first_is_free_and_the_second_counted_billable.</remarks>
    [Theory, ClassData(typeof(Engines))]
    public async Task P30_the_data_flow_inventory_ties_every_destination_to_an_instruction_and_an_uninstructed_flow_gets_no_data(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var dpf = SubProcessorFixture.Proposal("Certified Inc", "US");
        dpf["dpfCertified"] = true;
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("Oslo Hosting", "NO"), dpf);

        var allowed = (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/purposes")).EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToHashSet();
        var inventory = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/data-flows");
        var flows = inventory.GetProperty("flows").EnumerateArray().ToList();
        foreach (var kind in new[] { "primary-store", "backups", "sub-processor", "export" })
            Assert.Contains(flows, f => f.GetProperty("kind").GetString() == kind);
        // no tenant data goes to a destination that is not instructed
        Assert.Empty(inventory.GetProperty("uninstructed").EnumerateArray());
        foreach (var f in flows.Where(f => f.GetProperty("dataGoes").GetBoolean()))
        {
            Assert.True(f.GetProperty("instructed").GetBoolean(), f.GetProperty("destination").GetString());
            Assert.Contains(f.GetProperty("purpose").GetString(), allowed);
            Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("instruction").GetString()));
        }
        JsonElement Flow(JsonElement inv, string name) => inv.GetProperty("flows").EnumerateArray().Single(f => f.GetProperty("destination").GetString() == name);
        Assert.True(Flow(inventory, "Oslo Hosting").GetProperty("dataGoes").GetBoolean());

        // a new destination the client has not instructed (a US transfer without its DPF instruction): listed, no data, and refused at the gate
        var certified = Flow(inventory, "Certified Inc");
        Assert.False(certified.GetProperty("dataGoes").GetBoolean());
        Assert.False(certified.GetProperty("instructed").GetBoolean());
        var check = await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/transfers/check", new { subProcessorId = ids[1] })).JsonAsync();
        Assert.False(check.GetProperty("allowed").GetBoolean());
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == DataLocations.TransferBlockedAction && e.ClientId == tenant.ClientId)));

        // the client's written instruction opens it, and the inventory says on what basis
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/transfer-instructions", new[] { new { country = "US", mechanism = "dpf" } })).StatusCode);
        inventory = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/data-flows");
        Assert.True(Flow(inventory, "Certified Inc").GetProperty("dataGoes").GetBoolean());
        Assert.True(Flow(inventory, "Certified Inc").GetProperty("instructed").GetBoolean());
        Assert.Empty(inventory.GetProperty("uninstructed").EnumerateArray());
        // another client's inventory is its own
        var other = await app.SignUpAsync();
        Assert.False(Flow(await other.Http.GetFromJsonAsync<JsonElement>(other.Base + "/data-flows"), "Certified Inc").GetProperty("dataGoes").GetBoolean());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P49_the_data_inventory_comes_from_the_live_schema_shows_a_new_custom_field_takes_the_controllers_corrections_and_sign_up_needs_the_mandatory_fields(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var url = tenant.Base + "/data-inventory";
        var inventory = await tenant.Http.GetFromJsonAsync<JsonElement>(url);
        var account = inventory.GetProperty("clientPersonalData").EnumerateArray().ToList();
        foreach (var field in new[] { "email", "name", "company", "ipAddress" })
            Assert.True(account.Single(i => i.GetProperty("field").GetString() == field).GetProperty("mandatoryAtSignUp").GetBoolean(), field);
        static List<string> Controlled(JsonElement inv) => inv.GetProperty("dataControlledByClient").EnumerateArray().Select(i => i.GetProperty("field").GetString()!).ToList();
        foreach (var field in new[] { "email", "firstName", "lastName", "company", "title", "phone", "address", "bio", "ipAddress", "country", "city" })
            Assert.Contains(field, Controlled(inventory));
        Assert.DoesNotContain("custom:loyaltyTier", Controlled(inventory));

        // a new custom field, and a widget collecting it, appear at once
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "loyaltyTier", type = "text", required = false } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/widgets", new
        {
            name = "Loyalty sign-up",
            fields = new[] { "email", "loyaltyTier" },
            purposes = new object[] { new { key = "loyalty", text = "Join the loyalty programme", required = true } },
            allowedOrigins = Array.Empty<string>(),
        })).StatusCode);
        inventory = await tenant.Http.GetFromJsonAsync<JsonElement>(url);
        var loyalty = inventory.GetProperty("dataControlledByClient").EnumerateArray().Single(i => i.GetProperty("field").GetString() == "custom:loyaltyTier");
        Assert.Contains("Loyalty sign-up", loyalty.GetProperty("description").GetString(), StringComparison.Ordinal);
        // it feeds the DPIA package and the Art. 30(2) record
        var dpia = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/dpia-package");
        Assert.Contains("custom:loyaltyTier", Controlled(dpia.GetProperty("dataInventory")));
        var record = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/records-of-processing");
        Assert.Contains(record.GetProperty("controllers")[0].GetProperty("personalData").EnumerateArray(), p => p.GetString() == "custom:loyaltyTier");
        // another client's inventory does not have it
        var other = await app.SignUpAsync();
        Assert.DoesNotContain("custom:loyaltyTier", Controlled(await other.Http.GetFromJsonAsync<JsonElement>(other.Base + "/data-inventory")));

        // the controller reviews and corrects it: bad reviews change nothing
        await (await tenant.Http.PostAsJsonAsync(url + "/reviews", new { confirmed = false })).AssertProblemAsync(400);
        await (await tenant.Http.PostAsJsonAsync(url + "/reviews", new { confirmed = false, corrections = new[] { new { field = "shoeSize", note = "x" } } })).AssertProblemAsync(400);
        await (await tenant.Http.PostAsJsonAsync(url + "/reviews", new { confirmed = false, corrections = new[] { new { field = "bio", note = "" } } })).AssertProblemAsync(400);
        Assert.Empty((await tenant.Http.GetFromJsonAsync<JsonElement>(url)).GetProperty("reviews").EnumerateArray());
        var reviewed = await tenant.Http.PostAsJsonAsync(url + "/reviews", new { confirmed = false, corrections = new[] { new { field = "bio", note = "We never collect a bio" } } });
        Assert.Equal(HttpStatusCode.Created, reviewed.StatusCode);
        inventory = await tenant.Http.GetFromJsonAsync<JsonElement>(url);
        Assert.Equal("We never collect a bio", inventory.GetProperty("dataControlledByClient").EnumerateArray().Single(i => i.GetProperty("field").GetString() == "bio").GetProperty("correction").GetString());
        var review = Assert.Single(inventory.GetProperty("reviews").EnumerateArray());
        Assert.True((app.Clock.GetUtcNow() - review.GetProperty("reviewedAt").GetDateTimeOffset()).Duration() < TimeSpan.FromSeconds(1));
        Assert.False(string.IsNullOrEmpty(review.GetProperty("reviewedBy").GetString()));
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "ReviewDataInventory" && e.ClientId == tenant.ClientId)));

        // a sign-up missing a mandatory field of the client's own data is refused, and creates nothing
        var clients = await app.WithDbAsync((db, _) => db.Clients.CountAsync());
        foreach (var missing in new[] { "name", "ownerName", "ownerEmail" })
        {
            var body = await app.SignUpBodyAsync();
            body[missing] = null;
            var refused = await (await app.Anonymous().PostAsJsonAsync("/v1/signup", body)).AssertProblemAsync(400);
            Assert.True(refused.GetProperty("errors").TryGetProperty(missing, out _), missing);
        }
        Assert.Equal(clients, await app.WithDbAsync((db, _) => db.Clients.CountAsync()));
    }
}
