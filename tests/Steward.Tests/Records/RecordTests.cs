using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;
using Steward.Tests.SubProcessors;
using UglyToad.PdfPig;

namespace Steward.Tests.Records;

public sealed class RecordTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G26_the_processor_record_is_generated_from_live_data_and_versioned_when_it_changes(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine, s =>
        {
            s["Steward:Processor:Transfers:0:Recipient"] = "Mail relay Inc.";
            s["Steward:Processor:Transfers:0:Country"] = "US";
            s["Steward:Processor:Transfers:0:Safeguard"] = "EU-US Data Privacy Framework, SCCs 2021/914";
        });
        var tenant = await app.SignUpAsync("Acme <Widgets> ApS");
        var admin = (await app.DpoAsync());

        var first = await admin.GetFromJsonAsync<JsonElement>("/v1/processor/records/processor");
        Assert.Equal(1, first.GetProperty("version").GetInt32());
        var record = first.GetProperty("record");
        Assert.Equal("Steward Test Processor ApS", record.GetProperty("processor").GetProperty("name").GetString());
        Assert.Contains("Dana Protect", record.GetProperty("processor").GetProperty("dataProtectionOfficer").GetString(), StringComparison.Ordinal);
        var controller = record.GetProperty("controllers").EnumerateArray().Single(c => c.GetProperty("clientId").GetGuid() == tenant.ClientId);
        Assert.Equal("Acme <Widgets> ApS", controller.GetProperty("name").GetString());
        var delivery = controller.GetProperty("categoriesOfProcessing").EnumerateArray().Single(c => c.GetProperty("purpose").GetString() == "application-functions");
        var operations = delivery.GetProperty("operations").EnumerateArray().Select(o => o.GetString()).ToList();
        foreach (var op in new[] { "collection", "recording", "organisation", "structuring", "storage", "adaptation or alteration", "retrieval", "consultation",
            "use", "disclosure by transmission or dissemination", "alignment or combination", "restriction", "erasure or destruction" })
            Assert.Contains(op, operations); // G-25
        Assert.DoesNotContain(controller.GetProperty("categoriesOfProcessing").EnumerateArray(), c => c.GetProperty("purpose").GetString() == "service-statistics");
        Assert.Equal("US", record.GetProperty("transfers")[0].GetProperty("country").GetString());
        Assert.NotEmpty(record.GetProperty("securityMeasures").EnumerateArray());
        Assert.Equal(0, controller.GetProperty("contacts").GetInt32());

        // nothing changed: the same version
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/v1/processor/records/processor")).GetProperty("version").GetInt32());

        // the client declares a field, adds a contact and a purpose: the record follows, as a new version
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "plan", type = "text", required = false } });
        await tenant.CreateContactAsync(new { email = "someone@example.com" });
        Assert.Equal(HttpStatusCode.Created, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/purposes",
            new { code = "loyalty-scoring", description = "Score contacts for our loyalty programme", instruction = "Instruction of 3 Nov 2026, signed by the CEO" })).StatusCode);
        var second = await admin.GetFromJsonAsync<JsonElement>("/v1/processor/records/processor");
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        var changed = second.GetProperty("record").GetProperty("controllers").EnumerateArray().Single(c => c.GetProperty("clientId").GetGuid() == tenant.ClientId);
        Assert.Contains("custom:plan", changed.GetProperty("personalData").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(1, changed.GetProperty("contacts").GetInt32());
        Assert.Contains(changed.GetProperty("categoriesOfProcessing").EnumerateArray(), c => c.GetProperty("purpose").GetString() == "loyalty-scoring");

        var versions = await admin.GetFromJsonAsync<JsonElement>("/v1/processor/records/processor/versions");
        Assert.Equal([1, 2], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var old = await admin.GetFromJsonAsync<JsonElement>("/v1/processor/records/processor/versions/1");
        Assert.Equal(first.GetProperty("sha256").GetString(), old.GetProperty("sha256").GetString());
        await (await admin.GetAsync("/v1/processor/records/processor/versions/9")).AssertProblemAsync(404);

        // printable, and escaped
        var html = await admin.GetAsync("/v1/processor/records/processor?format=html");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("Art. 30(2)", page, StringComparison.Ordinal);
        Assert.Contains("Acme &lt;Widgets&gt; ApS", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<Widgets>", page, StringComparison.Ordinal);

        // the client sees its own entry only
        var own = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/records-of-processing");
        Assert.Equal(tenant.ClientId, Assert.Single(own.GetProperty("controllers").EnumerateArray()).GetProperty("clientId").GetGuid());

        // a sub-processor in a third country that starts receiving data: its transfer and safeguard come from the register
        Assert.DoesNotContain(record.GetProperty("transfers").EnumerateArray(), t => t.GetProperty("recipient").GetString() == "Swiss Mailer");
        await app.ActivateNewAsync(SubProcessorFixture.Proposal("Swiss Mailer", "DE", "CH"));
        var third = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/records/processor"); // signed in again after the notice period
        Assert.Equal(3, third.GetProperty("version").GetInt32());
        var transfer = Assert.Single(third.GetProperty("record").GetProperty("transfers").EnumerateArray(), t => t.GetProperty("recipient").GetString() == "Swiss Mailer");
        Assert.Equal("CH", transfer.GetProperty("country").GetString()); // Germany is no transfer
        Assert.StartsWith("adequacy decision of ", transfer.GetProperty("safeguard").GetString(), StringComparison.Ordinal);
        Assert.Contains(third.GetProperty("record").GetProperty("transfers").EnumerateArray(), t => t.GetProperty("recipient").GetString() == "Mail relay Inc.");
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Art30_1_the_controller_record_for_client_accounts_counts_the_accounts_held(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        await app.SignUpAsync();
        var first = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/records/controller");
        var record = first.GetProperty("record");
        Assert.Equal(1, record.GetProperty("clientAccounts").GetInt32());
        foreach (var part in new[] { "purposes", "dataSubjects", "personalData", "recipients", "erasureTimeLimits", "securityMeasures" })
            Assert.NotEmpty(record.GetProperty(part).EnumerateArray());
        await app.SignUpAsync();
        var second = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/records/controller");
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal(2, second.GetProperty("record").GetProperty("clientAccounts").GetInt32());
    }

    private static async Task<(int Pages, string Text)> PdfAsync(HttpClient http, string url)
    {
        var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF-"u8.ToArray(), bytes[..5]);
        using var pdf = PdfDocument.Open(bytes);
        return (pdf.NumberOfPages, string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G26_B5_the_records_print_as_pdf_and_html_from_live_data_and_a_new_client_is_in_the_next_version(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        await app.SignUpAsync("Nordlys Bakery ApS");
        var dpo = await app.DpoAsync();

        var (pages, text) = await PdfAsync(dpo, "/v1/processor/records/processor?format=pdf");
        Assert.True(pages >= 1);
        Assert.Contains("Art. 30(2) GDPR", text, StringComparison.Ordinal);
        Assert.Contains("Version 1,", text, StringComparison.Ordinal);
        Assert.Contains("Steward Test Processor ApS", text, StringComparison.Ordinal);
        Assert.Contains("Nordlys Bakery ApS", text, StringComparison.Ordinal);
        Assert.Contains("erasure or destruction", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Fjordhus Hotel", text, StringComparison.Ordinal);

        // a client signs up: the next version, in print, names it; the first version still prints as it was
        await app.SignUpAsync("Fjordhus Hotel A/S");
        var next = await PdfAsync(dpo, "/v1/processor/records/processor?format=pdf");
        Assert.Contains("Version 2,", next.Text, StringComparison.Ordinal);
        Assert.Contains("Fjordhus Hotel A/S", next.Text, StringComparison.Ordinal);
        var first = await PdfAsync(dpo, "/v1/processor/records/processor/versions/1?format=pdf");
        Assert.DoesNotContain("Fjordhus Hotel", first.Text, StringComparison.Ordinal);
        var page = await (await dpo.GetAsync("/v1/processor/records/processor/versions/2?format=html")).Content.ReadAsStringAsync();
        Assert.Contains("Fjordhus Hotel A/S", page, StringComparison.Ordinal);
        Assert.Contains("@media print", page, StringComparison.Ordinal);
        await (await dpo.GetAsync("/v1/processor/records/processor/versions/9?format=pdf")).AssertProblemAsync(404);

        // the controller record (Art. 30(1)) counts the accounts held, in print too
        var controller = await PdfAsync(dpo, "/v1/processor/records/controller?format=pdf");
        Assert.Contains("Art. 30(1) GDPR", controller.Text, StringComparison.Ordinal);
        Assert.Contains("Client accounts: 2", controller.Text, StringComparison.Ordinal);
    }
}
