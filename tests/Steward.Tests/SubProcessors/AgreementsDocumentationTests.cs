using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.SubProcessors;

public sealed class AgreementsDocumentationTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G15_G16_a_client_downloads_the_agreement_and_the_direct_contact_of_every_active_sub_processor_from_the_live_register(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await app.ActivateNewAsync(SubProcessorFixture.Proposal("Paperless Co", "NL")))[0];
        await app.ProposeAsync(SubProcessorFixture.Proposal("Later Co", "DE"));

        var doc = await DocumentationAsync(tenant);
        var entries = doc.GetProperty("subProcessors").EnumerateArray().ToList();
        var gaps = doc.GetProperty("gaps").EnumerateArray().Select(g => g.GetString()!).ToList();
        var paperless = entries.Single(e => e.GetProperty("subProcessor").GetString() == "Paperless Co");
        Assert.Equal("DPA-2026-11 signed", paperless.GetProperty("agreementReference").GetString());
        Assert.True(paperless.GetProperty("equivalentTerms").GetBoolean());
        Assert.Equal("NL: EEA, no transfer", paperless.GetProperty("transferBasis").GetString());
        Assert.Equal("privacy@paperless-co.example", paperless.GetProperty("directContact").GetString());
        // only active sub-processors are documented, and each one has a contact or its gap is said out loud
        Assert.DoesNotContain(entries, e => e.GetProperty("subProcessor").GetString() == "Later Co");
        foreach (var e in entries)
        {
            var name = e.GetProperty("subProcessor").GetString();
            Assert.True(e.GetProperty("directContact").ValueKind == JsonValueKind.String || gaps.Contains($"{name}: no direct contact on file"), $"{name} has no contact and no gap");
        }

        // the documentation follows the register: a new contact shows at once
        await app.RecordEvidenceAsync(id, new() { ["contactEmail"] = "dpo@paperless-co.example" });
        var updated = (await DocumentationAsync(tenant)).GetProperty("subProcessors").EnumerateArray().Single(e => e.GetProperty("subProcessor").GetString() == "Paperless Co");
        Assert.Equal("dpo@paperless-co.example", updated.GetProperty("directContact").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(tenant.Base + "/subprocessor-agreements")).StatusCode);
    }

    private static async Task<JsonElement> DocumentationAsync(StewardApp.Tenant tenant)
    {
        var response = await tenant.Http.GetAsync(tenant.Base + "/subprocessor-agreements");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }
}
