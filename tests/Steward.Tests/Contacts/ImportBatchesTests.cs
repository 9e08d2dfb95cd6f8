using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Contacts;

/// <summary>A file of several batches: counted and reported as one file, a repeat across batches skipped.</summary>
public sealed class ImportBatchesTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Import_of_several_batches_counts_and_reports_as_the_batches_one_after_the_other(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        // 2,300 rows: three batches; a repeat in the second of an email of the first, a bad row in each batch
        var rows = Enumerable.Range(0, 2300).Select(i => i switch
        {
            1500 => "pipe5@example.com,Again",
            10 or 1200 or 2250 => "not-an-email,Bad",
            _ => string.Create(CultureInfo.InvariantCulture, $"pipe{i}@example.com,Name {i}"),
        });
        var csv = "email,firstName\n" + string.Join('\n', rows) + "\n";

        var report = await (await PostCsvAsync(tenant, csv)).JsonAsync();
        Assert.Equal(2300, report.GetProperty("rows").GetInt32());
        Assert.Equal(2296, report.GetProperty("imported").GetInt32());
        Assert.Equal(1, report.GetProperty("skipped").GetInt32());
        Assert.Equal(3, report.GetProperty("failed").GetInt32());
        var lines = report.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).Distinct().ToList();
        Assert.Equal([12, 1202, 2252], lines); // by line (a bad email is two errors of its line), the header being line 1
        Assert.Equal(2296, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));

        var again = await (await PostCsvAsync(tenant, csv)).JsonAsync();
        Assert.Equal(0, again.GetProperty("imported").GetInt32());
        Assert.Equal(2297, again.GetProperty("skipped").GetInt32());
        Assert.Equal(2296, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G44_an_email_in_the_trash_is_skipped_as_existing_and_its_batch_stays_one_unit(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var trashed = (await tenant.CreateContactAsync(new { email = "binned@example.com" })).GetProperty("id").GetGuid();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{trashed}")).StatusCode);

        var report = await (await PostCsvAsync(tenant, "email,firstName\nkept1@example.com,A\nbinned@example.com,B\nkept2@example.com,C\n")).JsonAsync();
        Assert.Equal((2, 1, 0), (report.GetProperty("imported").GetInt32(), report.GetProperty("skipped").GetInt32(), report.GetProperty("failed").GetInt32()));
        // one batch, one transaction, one event: not the row-by-row retry a unique violation sends a batch to
        Assert.Equal(1, await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "ImportContacts")));
        // the trashed contact is untouched, still restorable
        var binned = await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().SingleAsync(c => c.Id == trashed));
        Assert.NotNull(binned.DeletedAt);
        Assert.Equal(2, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
    }

    private static Task<HttpResponseMessage> PostCsvAsync(StewardApp.Tenant tenant, string csv) =>
        tenant.Http.PostAsync(tenant.Base + "/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
}
