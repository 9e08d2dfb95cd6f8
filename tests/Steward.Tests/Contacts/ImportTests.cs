using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Contacts;

public sealed class ImportTests
{
    private const string File = """
        email,firstName,custom.seats,consent.newsletter,consentSource,consentDate
        ada@example.com,Ada,3,yes,"Paper form, trade fair ""Expo"" 2026",2026-10-01
        bob@example.com,Bob,,,,
        carl@example.com,"Carl, Jr.",7,,,
        dora@example.com,Dora,many,,,
        ,Eve,,,,
        ADA@example.com,Ada again,,,,
        fay@example.com,Fay,,true,,2026-10-02
        """;

    [Theory, ClassData(typeof(Engines))]
    public async Task Import_stores_good_rows_reports_bad_ones_by_line_and_field_and_a_second_run_adds_nothing(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "seats", type = "number", required = false } });

        var report = await (await PostCsvAsync(tenant, File)).JsonAsync();
        Assert.Equal(7, report.GetProperty("rows").GetInt32());
        Assert.Equal(3, report.GetProperty("imported").GetInt32());
        Assert.Equal(1, report.GetProperty("skipped").GetInt32()); // ADA@ is ada@ again
        Assert.Equal(3, report.GetProperty("failed").GetInt32());
        var errors = report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Contains((5, "custom.seats"), errors);
        Assert.Contains((6, "email"), errors);
        Assert.Contains((8, "consentSource"), errors);
        Assert.DoesNotContain("many", report.GetRawText(), StringComparison.Ordinal); // fields named, values never echoed

        var carl = await FindAsync(tenant, "carl@example.com");
        Assert.Equal("Carl, Jr.", carl.GetProperty("firstName").GetString());
        Assert.Equal(7, carl.GetProperty("custom").GetProperty("seats").GetInt32());
        Assert.Equal("import", carl.GetProperty("source").GetString());

        // consent the client collected elsewhere is recorded as such: an import, its source, the client's date
        var ada = await FindAsync(tenant, "ada@example.com");
        var consents = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{ada.GetProperty("id")}/consents");
        var consent = Assert.Single(consents.EnumerateArray());
        Assert.Equal("newsletter", consent.GetProperty("purpose").GetString());
        Assert.Equal("import", consent.GetProperty("method").GetString());
        Assert.Equal("Paper form, trade fair \"Expo\" 2026", consent.GetProperty("evidence").GetString());
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), consent.GetProperty("at").GetDateTimeOffset());

        var again = await (await PostCsvAsync(tenant, File)).JsonAsync();
        Assert.Equal(0, again.GetProperty("imported").GetInt32());
        Assert.Equal(4, again.GetProperty("skipped").GetInt32());
        Assert.Equal(3, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task A_row_cut_short_is_a_row_error_not_a_server_failure(Engine engine) // found by the hostile-input suite
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var response = await PostCsvAsync(tenant, "email,firstName,lastName\r\nn");
        Assert.True((int)response.StatusCode < 500, await response.Content.ReadAsStringAsync());
        var fine = await PostCsvAsync(tenant, "email,firstName,lastName\r\nann@example.com\r\n"); // missing trailing fields are empty
        Assert.True(fine.IsSuccessStatusCode, await fine.Content.ReadAsStringAsync());
        Assert.Equal(1, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task A_file_with_an_unknown_column_or_not_sent_as_csv_is_refused_and_stores_nothing(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var problem = await (await PostCsvAsync(tenant, "email,shoeSize\nx@example.com,44\n")).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("columns", out _));
        await (await PostCsvAsync(tenant, "firstName\nX\n")).AssertProblemAsync(400); // no email column
        await (await PostCsvAsync(tenant, "email,consent.news\nx@example.com,yes\n")).AssertProblemAsync(400); // no evidence columns
        await (await tenant.Http.PostAsync(tenant.Base + "/contacts/import", new StringContent("email\nx@example.com", Encoding.UTF8, "application/json")))
            .AssertProblemAsync(400);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Steward_import_contacts_resumes_an_interrupted_file_without_duplicates(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var lines = Enumerable.Range(0, 1200).Select(i => string.Create(CultureInfo.InvariantCulture, $"bulk{i}@example.com,Name {i}")).ToList();
        var path = Path.Combine(app.DataDirectory, "contacts.csv");

        // the first run stopped after 700 rows
        await System.IO.File.WriteAllLinesAsync(path, ["email,firstName", .. lines.Take(700)]);
        var (exit, output, errors) = await app.RunCliAsync("import", "contacts", "--client", tenant.ClientId.ToString(), path);
        Assert.True(exit == 0, output + errors);
        Assert.Contains("700 imported", output, StringComparison.Ordinal);

        await System.IO.File.WriteAllLinesAsync(path, ["email,firstName", .. lines]);
        (exit, output, errors) = await app.RunCliAsync("import", "contacts", "--client", tenant.ClientId.ToString(), path);
        Assert.True(exit == 0, output + errors);
        Assert.Contains("1,200 rows, 500 imported, 700 skipped (already there), 0 failed", output, StringComparison.Ordinal);
        Assert.Equal(1200, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
        Assert.Equal("Name 1199", (await FindAsync(tenant, "bulk1199@example.com")).GetProperty("firstName").GetString());

        // a bad row makes the exit code 1 and is named; an unknown client is exit 2
        await System.IO.File.WriteAllLinesAsync(path, ["email,firstName", "not-an-email,X"]);
        (exit, output, _) = await app.RunCliAsync("import", "contacts", "--client", tenant.ClientId.ToString(), path);
        Assert.Equal(1, exit);
        Assert.Contains("line 2, email:", output, StringComparison.Ordinal);
        (exit, _, _) = await app.RunCliAsync("import", "contacts", "--client", Guid.NewGuid().ToString(), path);
        Assert.Equal(2, exit);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Two_imports_of_one_file_at_once_store_each_contact_once_and_count_the_rest_as_skipped(Engine engine)
    {
        // both check the same emails before either commits: the loser's batch meets the unique index and is taken row by row
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var csv = "email,firstName,consent.newsletter,consentSource,consentDate\n" + string.Concat(Enumerable.Range(0, 600)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"twice{i}@example.com,Name {i},yes,fair stand,2026-10-01\n")));
        var reports = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ => await (await PostCsvAsync(tenant, csv)).JsonAsync()));
        Assert.Equal(600, reports.Sum(r => r.GetProperty("imported").GetInt32()));
        Assert.Equal(600, reports.Sum(r => r.GetProperty("skipped").GetInt32()));
        Assert.All(reports, r => Assert.Equal(0, r.GetProperty("failed").GetInt32()));
        Assert.Equal(600, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
        Assert.Equal(600, await app.WithDbAsync((db, _) => db.ConsentEvents.CountAsync(), tenant.ClientId));
        var last = await FindAsync(tenant, "twice599@example.com");
        Assert.Equal("Name 599", last.GetProperty("firstName").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task A_batch_of_a_few_hundred_stores_every_field_consent_and_key_readable_findable_and_rotatable(Engine engine)
    {
        // the bulk path (PostgreSQL: binary COPY of keys, contacts and consents; one AesGcm wraps the batch's keys)
        // stores what the single path would: every field opens, every email is found, rotation rewraps every key
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Keys:KeyEncryptionKey"] = "");
        var tenant = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "seats", type = "number", required = false } });
        var csv = "email,firstName,lastName,custom.seats,consent.newsletter,consentSource,consentDate\n" + string.Concat(Enumerable.Range(0, 300)
            .Select(i => string.Create(CultureInfo.InvariantCulture,
                $"copy{i}@example.com,First {i},{(i % 2 == 0 ? "Last" : "")},{i},{(i % 3 == 0 ? "yes" : "")},fair stand,2026-10-01\n")));
        var report = await (await PostCsvAsync(tenant, csv)).JsonAsync();
        Assert.Equal(300, report.GetProperty("imported").GetInt32());
        Assert.Equal(0, report.GetProperty("failed").GetInt32());
        Assert.Equal(300, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
        Assert.Equal(100, await app.WithDbAsync((db, _) => db.ConsentEvents.CountAsync(), tenant.ClientId));

        var (exit, output, errors) = await app.RunCliAsync("keys", "rotate");
        Assert.True(exit == 0, output + errors);
        Assert.Single((await app.Services.GetRequiredService<KeyVault>().CountByKekAsync(CancellationToken.None)).Keys);
        foreach (var i in new[] { 0, 1, 3, 150, 299 })
        {
            var contact = await FindAsync(tenant, string.Create(CultureInfo.InvariantCulture, $"copy{i}@example.com"));
            Assert.Equal($"First {i}", contact.GetProperty("firstName").GetString());
            Assert.Equal(i % 2 == 0 ? "Last" : null,
                contact.TryGetProperty("lastName", out var last) && last.ValueKind == JsonValueKind.String ? last.GetString() : null);
            Assert.Equal(i, contact.GetProperty("custom").GetProperty("seats").GetInt32());
            Assert.Equal("import", contact.GetProperty("source").GetString());
            var consents = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contact.GetProperty("id")}/consents");
            Assert.Equal(i % 3 == 0 ? 1 : 0, consents.GetArrayLength());
            if (i % 3 == 0)
            {
                Assert.Equal("fair stand", consents[0].GetProperty("evidence").GetString());
                Assert.Equal(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), consents[0].GetProperty("at").GetDateTimeOffset());
            }
        }
    }

    private static Task<HttpResponseMessage> PostCsvAsync(StewardApp.Tenant tenant, string csv) =>
        tenant.Http.PostAsync(tenant.Base + "/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

    private static async Task<JsonElement> FindAsync(StewardApp.Tenant tenant, string email)
    {
        var page = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email={Uri.EscapeDataString(email)}");
        return Assert.Single(page.GetProperty("items").EnumerateArray());
    }
}
