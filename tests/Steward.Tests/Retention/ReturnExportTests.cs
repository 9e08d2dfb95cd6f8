using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Retention;
using Steward.Tests.Consents;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Retention;

public sealed class ReturnExportTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G21_P47_concurrent_return_exports_all_succeed_with_distinct_numbers_and_only_the_first_is_free(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(ContactTests.Jane);
        var exports = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            tenant.Http.PostAsync(tenant.Base + $"/return-exports?format={(i % 2 == 0 ? "json" : "csv")}", null)));
        Assert.All(exports, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var records = await app.WithDbAsync((db, _) => db.ReturnExports.OrderBy(r => r.Number).ToListAsync(), tenant.ClientId);
        Assert.Equal(Enumerable.Range(1, 8), records.Select(r => r.Number));
        Assert.Equal([false, true, true, true, true, true, true, true], records.Select(r => r.Billable));
        // each answer names its own number
        var names = exports.Select(r => r.Content.Headers.ContentDisposition?.FileNameStar ?? r.Content.Headers.ContentDisposition?.FileName).ToList();
        Assert.Equal(8, names.Distinct().Count());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G21_P47_the_return_export_is_complete_the_first_is_free_and_the_second_counted_billable(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "plan", type = "text", required = false } });
        var jane = (await tenant.CreateContactAsync(new Dictionary<string, object?>(ContactTests.Jane) { ["custom"] = new { plan = "=HYPERLINK(\"http://evil\")" } }))
            .GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);
        await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "jane.doe@example.com" }, consents = new { newsletter = true } });
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/termination", new { choice = "return" })).StatusCode);

        var first = await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=json", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var json = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(json.GetProperty("billable").GetBoolean());
        var contact = Assert.Single(json.GetProperty("contacts").EnumerateArray());
        Assert.Equal(jane, contact.GetProperty("contact").GetProperty("id").GetGuid());
        Assert.Equal("jane.doe@example.com", contact.GetProperty("contact").GetProperty("email").GetString());
        Assert.Equal("=HYPERLINK(\"http://evil\")", contact.GetProperty("contact").GetProperty("custom").GetProperty("plan").GetString());
        var consent = Assert.Single(contact.GetProperty("consents").EnumerateArray());
        Assert.Equal("newsletter", consent.GetProperty("purpose").GetString());
        Assert.Equal(StewardApp.DefaultIp, consent.GetProperty("ipAddress").GetString());
        Assert.False(string.IsNullOrEmpty(consent.GetProperty("text").GetString()));
        Assert.Equal("plan", Assert.Single(json.GetProperty("customFields").EnumerateArray()).GetProperty("name").GetString());

        var second = await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=csv", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("application/zip", second.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await second.Content.ReadAsStreamAsync());
        var contacts = await new StreamReader(zip.GetEntry("contacts.csv")!.Open()).ReadToEndAsync();
        Assert.Contains("jane.doe@example.com", contacts);
        // formula injection neutralised: the cell starts with a quote, never with =
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\")\"", contacts);
        Assert.DoesNotContain(",=HYPERLINK", contacts);
        Assert.Contains("newsletter", await new StreamReader(zip.GetEntry("consents.csv")!.Open()).ReadToEndAsync());
        Assert.NotNull(zip.GetEntry("requests.csv"));

        var records = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/return-exports");
        Assert.Equal([false, true], records.EnumerateArray().Select(r => r.GetProperty("billable").GetBoolean()).ToArray());
        Assert.Equal(2, await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "ExportClientData" && e.ResourceId == tenant.ClientId.ToString())));
        await (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=xml", null)).AssertProblemAsync(400);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G21_P47_a_return_export_longer_than_a_page_streams_every_contact_once_in_creation_order_with_its_consents(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        // one import: every contact created at the same instant, so the pages follow each other on the id alone
        const int Count = 1_050;
        var csv = new StringBuilder("email,firstName,consent.newsletter,consentSource,consentDate\n");
        for (var i = 0; i < Count; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{Canaries.Personal($"pg{i}@example.com")},P{i},{(i % 7 == 0 ? "yes,Fair,2026-10-01" : ",,")}\n");
        var imported = await tenant.Http.PostAsync(tenant.Base + "/contacts/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var last = (await tenant.CreateContactAsync(new { email = "pglast@example.com" })).GetProperty("id").GetGuid();

        var json = await (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=json", null)).Content.ReadFromJsonAsync<JsonElement>();
        var contacts = json.GetProperty("contacts").EnumerateArray().ToList();
        var ids = contacts.Select(c => c.GetProperty("contact").GetProperty("id").GetGuid()).ToList();
        Assert.Equal(Count + 1, ids.Distinct().Count());
        Assert.Equal(last, ids[^1]);
        // the engines order ids as their text (SQLite) or bytes (PostgreSQL): the same order, hex digits before letters
        Assert.Equal(ids[..Count].OrderBy(id => id.ToString().ToUpperInvariant(), StringComparer.Ordinal), ids[..Count]);
        foreach (var contact in contacts[..Count])
        {
            var i = int.Parse(contact.GetProperty("contact").GetProperty("firstName").GetString()![1..], CultureInfo.InvariantCulture);
            Assert.Equal(i % 7 == 0 ? 1 : 0, contact.GetProperty("consents").GetArrayLength());
        }
        Assert.Equal(Count + 1, (await app.WithDbAsync((db, _) => db.ReturnExports.SingleAsync(), tenant.ClientId)).Contacts);

        using var zip = new ZipArchive(await (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=csv", null)).Content.ReadAsStreamAsync());
        var rows = (await new StreamReader(zip.GetEntry("contacts.csv")!.Open()).ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(ids, rows.Select(r => Guid.Parse(r[..36])));
        var consents = (await new StreamReader(zip.GetEntry("consents.csv")!.Open()).ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(contacts.Where(c => c.GetProperty("consents").GetArrayLength() > 0).Select(c => c.GetProperty("contact").GetProperty("id").GetGuid()),
            consents.Select(r => Guid.Parse(r[..36])));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G21_P47_the_csv_return_export_holds_the_same_values_as_the_json_one_cell_for_cell(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "plan", type = "text", required = false } });
        var jane = (await tenant.CreateContactAsync(new Dictionary<string, object?>(ContactTests.Jane) { ["custom"] = new { plan = "-gold, \"yearly\"" } }))
            .GetProperty("id").GetGuid();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        // unicode, a quote, and every other field null
        await tenant.CreateContactAsync(new { email = Canaries.Personal("zoë.åse@example.com"), firstName = Canaries.Personal("Zoë \"Å\" Øst") });
        await app.WithDbAsync(async (db, _) =>
        {
            (await db.Contacts.SingleAsync(c => c.Id == jane)).RestrictedAt = app.Clock.GetUtcNow().AddTicks(1234567);
            return await db.SaveChangesAsync();
        }, tenant.ClientId);

        var json = await (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=json", null)).Content.ReadFromJsonAsync<JsonElement>();
        using var zip = new ZipArchive(await (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=csv", null)).Content.ReadAsStreamAsync());
        var rows = (await new StreamReader(zip.GetEntry("contacts.csv")!.Open()).ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..];

        string? Date(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDateTimeOffset().ToString("O", CultureInfo.InvariantCulture);
        var expected = json.GetProperty("contacts").EnumerateArray().Select(e => e.GetProperty("contact")).Select(c => Csv.Line(
        [
            .. new[] { "id", "email", "firstName", "lastName", "company", "title", "phone", "address", "bio", "ipAddress", "country", "city", "source" }
                .Select(n => c.GetProperty(n).GetString()),
            Date(c.GetProperty("createdAt")), Date(c.GetProperty("updatedAt")), Date(c.GetProperty("restrictedAt")),
            c.GetProperty("custom").TryGetProperty("plan", out var plan) ? plan.GetString() : null,
        ])[..^2]);
        Assert.Equal(expected, rows);
        Assert.Equal(2, rows.Length);
        Assert.Contains(",\"'-gold, \"\"yearly\"\"\"", rows[0]);
    }

    [Fact]
    public void G21_csv_cells_of_ids_dates_and_numbers_are_their_invariant_text_as_cells()
    {
        var id = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 12, 7, 11, 24, 46, 123, TimeSpan.FromHours(-2)).AddTicks(4567);
        var writer = new StringWriter();
        Csv.WriteValue(writer, id);
        Csv.WriteValue(writer, at, "O");
        Csv.WriteValue(writer, -1.5m);
        Assert.Equal(Csv.Cell(id.ToString()) + Csv.Cell(at.ToString("O", CultureInfo.InvariantCulture)) + Csv.Cell("-1.5"), writer.ToString());
    }

    [Fact]
    public void G21_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_made_text()
    {
        Assert.Equal("'=1+2", Csv.Cell("=1+2"));
        Assert.Equal("'+45 1234", Csv.Cell("+45 1234"));
        Assert.Equal("'-2", Csv.Cell("-2"));
        Assert.Equal("'@SUM(A1)", Csv.Cell("@SUM(A1)"));
        Assert.Equal("\"a,b\"", Csv.Cell("a,b"));
        Assert.Equal("plain", Csv.Cell("plain"));
    }

    [Theory]
    [InlineData(null), InlineData(""), InlineData("plain"), InlineData("=1+2"), InlineData("a,b"), InlineData("say \"hi\", twice \"\"")]
    [InlineData("-\"quoted\" formula"), InlineData("\rstarts with CR"), InlineData("line\nbreak"), InlineData("\"")]
    public void G21_a_csv_cell_written_in_place_is_the_cell_of_a_csv_line(string? value)
    {
        // the export writes its rows cell by cell: the same text as Csv.Line makes, formula guard and quoting included
        using var written = new StringWriter();
        Csv.Write(written, [value, "x", value]);
        written.Write("\r\n");
        Assert.Equal(Csv.Line([value, "x", value]), written.ToString());
    }
}
