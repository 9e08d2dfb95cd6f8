using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Steward.Backups;
using Steward.Notifications;
using Steward.Tests.Infrastructure;
using Steward.Tests.SubProcessors;

namespace Steward.Tests.Console;

/// <summary>
/// The DPO's registers in the staff console, in real Chromium: breaches, backups, sub-processors, records of processing,
/// and the export alerts on the desk. SQLite only, as the other console tests: the use cases behind the pages are the
/// API's, tested on both engines.
/// </summary>
public sealed class DeskOperationsTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static async Task<IPage> DpoPageAsync(Chromium chromium, StewardApp app)
    {
        var page = await chromium.NewPageAsync(app);
        await StaffConsoleTests.SignInAsync(page, await app.DpoUserAsync(), app);
        return page;
    }

    private static string At(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    [Fact]
    public async Task G06_Art33_a_breach_recorded_on_the_console_shows_its_clocks_counting_from_awareness()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite); // Monday 2 November 2026, 09:00 UTC
        var tenant = await app.SignUpAsync();
        var page = await DpoPageAsync(chromium, app);
        await page.GetByRole(AriaRole.Link, new() { Name = "Breaches" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Breaches", Exact = true })).ToBeVisibleAsync();

        // errors next to their field, nothing recorded
        await page.GetByLabel("Detected at (UTC)").FillAsync("2026-11-02T07:00");
        await page.GetByLabel("Affected clients").FillAsync("not-a-client");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the breach" }).ClickAsync();
        await Assertions.Expect(page.Locator("label", new() { HasText = "Affected clients" }).GetByRole(AriaRole.Alert)).ToContainTextAsync("not a client id");
        await page.GetByLabel("Affected clients").FillAsync(tenant.ClientId.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the breach" }).ClickAsync();
        await Assertions.Expect(page.Locator("label", new() { HasText = "Nature of the incident" }).GetByRole(AriaRole.Alert))
            .ToContainTextAsync("Describe the nature");
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Set<Steward.Breaches.Breach>().CountAsync()));

        await page.GetByLabel("Aware at (UTC)").FillAsync("2026-11-02T08:00");
        await page.GetByLabel("Why the processor is now aware").FillAsync("Logs confirm the bucket was public");
        await page.GetByLabel("Nature of the incident").FillAsync("A storage bucket was readable without authentication.");
        await page.GetByLabel("the 72-hour notice to the authority applies").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the breach" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/breaches/[0-9a-f-]{36}$"));

        // the same record, clocks and audit event as the API's
        var breachId = Guid.Parse(page.Url[^36..]);
        var breach = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>($"/v1/processor/breaches/{breachId}");
        Assert.Equal("confirmed", breach.GetProperty("status").GetString());
        var clientDue = breach.GetProperty("clients")[0].GetProperty("dueAt").GetDateTimeOffset();
        var recorded = await app.WithDbAsync((db, _) => db.AuditEvents.SingleAsync(e => e.Action == "RecordBreach" && e.ResourceId == breachId.ToString()));
        Assert.Equal((await app.DpoUserAsync()).Id.ToString(), recorded.ActorId);

        // 72 h from the earlier of detection and awareness (07:00); it is 09:00 now, give or take the sign-in's 31 s
        var authority = page.Locator("td.authority");
        await Assertions.Expect(authority).ToContainTextAsync("69 h 59 min left (due 2026-11-05 07:00 UTC)");
        await Assertions.Expect(page.Locator("tr.client-clock td.clock")).ToContainTextAsync($"left (due {At(clientDue)} UTC)");
        await Chromium.ScreenshotAsync(page, "staff-breach");

        // hours later the console session has gone idle: sign in again and reload the breach
        var url = page.Url;
        async Task LaterAsync(TimeSpan by)
        {
            app.Clock.Advance(by);
            await StaffConsoleTests.SignInAsync(page, await app.DpoUserAsync(), app);
            await page.GotoAsync(url);
        }
        await LaterAsync(TimeSpan.FromHours(10));
        await Assertions.Expect(authority).ToContainTextAsync("59 h 58 min left");
        await LaterAsync(TimeSpan.FromHours(62));
        await Assertions.Expect(authority).ToContainTextAsync("overdue by 2 h 01 min");

        await page.GetByRole(AriaRole.Link, new() { Name = "All breaches" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.breach")).ToHaveClassAsync(new Regex("overdue"));
        await Assertions.Expect(page.Locator("tr.breach td.clock").First).ToContainTextAsync("overdue by 2 h 01 min");
        await Chromium.ScreenshotAsync(page, "staff-breaches");
    }

    [Fact]
    public async Task P19_the_backups_page_lists_a_backup_with_its_size_status_and_end_of_retention()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        await app.SignUpAsync();
        // taken as the scheduled job and the CLI take it (the API only lists backups), then listed by the API and the page
        var backup = await app.WithDbAsync((_, sp) => sp.GetRequiredService<CreateBackup>().HandleAsync(default));
        var listed = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/backups");
        Assert.Contains(listed.EnumerateArray(), b => b.GetProperty("id").GetGuid() == backup.Id);

        var page = await DpoPageAsync(chromium, app);
        await page.GetByRole(AriaRole.Link, new() { Name = "Backups" }).ClickAsync();
        var row = page.Locator("tr.backup");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync(At(backup.TakenAt) + " UTC");
        await Assertions.Expect(row).ToContainTextAsync("available");
        await Assertions.Expect(row).ToContainTextAsync(At(backup.TakenAt.AddDays(14)) + " UTC"); // the default retention
        await Assertions.Expect(row).ToContainTextAsync(backup.Sha256![..12]);
        await Assertions.Expect(row).ToContainTextAsync("KiB");
        await Chromium.ScreenshotAsync(page, "staff-backups");
    }

    [Fact]
    public async Task G13_the_sub_processors_page_shows_a_pending_change_with_its_notice_end_and_each_clients_objection()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var a = await app.SignUpAsync();
        await app.SignUpAsync();
        var change = await app.ProposeAsync(SubProcessorFixture.Proposal("Mailjet Relay", "FR"));
        var changeId = change.GetProperty("id").GetGuid();
        await app.RecordEvidenceAsync(change.GetProperty("subProcessorId").GetGuid());
        await app.DeliverMailAsync();
        Assert.Equal(HttpStatusCode.Created, (await a.Http.PostAsJsonAsync(a.Base + $"/subprocessor-changes/{changeId}/objections",
            new { reason = "Our members forbid any new mail vendor." })).StatusCode);
        var effective = (await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/admin/subprocessor-changes"))
            .EnumerateArray().Single(c => c.GetProperty("id").GetGuid() == changeId).GetProperty("effectiveAt").GetDateTimeOffset();

        var page = await DpoPageAsync(chromium, app);
        await page.GetByRole(AriaRole.Link, new() { Name = "Sub-processors" }).ClickAsync();
        var row = page.Locator("tr.change");
        await Assertions.Expect(row).ToContainTextAsync("Mailjet Relay");
        await Assertions.Expect(row).ToContainTextAsync(At(effective) + " UTC");
        await Assertions.Expect(row).ToContainTextAsync("days left");
        await Assertions.Expect(row).ToContainTextAsync("2 of 2");
        await Assertions.Expect(row.Locator("li")).ToContainTextAsync(a.ClientId.ToString());
        await Assertions.Expect(page.Locator("tr.subprocessor", new() { HasText = "Mailjet Relay" })).ToContainTextAsync(At(app.Clock.GetUtcNow().AddDays(365))[..10]);
        await Chromium.ScreenshotAsync(page, "staff-sub-processors");
    }

    [Fact]
    public async Task G06_Art30_the_records_page_links_to_a_PDF_that_downloads_and_a_print_page()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        await app.SignUpAsync();
        var page = await DpoPageAsync(chromium, app);
        await page.GetByRole(AriaRole.Link, new() { Name = "Records of processing" }).ClickAsync();
        await Assertions.Expect(page.Locator("section.record")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("section.record").First).ToContainTextAsync("Current: version 1");
        await Chromium.ScreenshotAsync(page, "staff-records");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "PDF of version 1" }).First.ClickAsync());
        Assert.Equal("record-of-processing-processor-v1.pdf", download.SuggestedFilename);
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);

        await page.GetByRole(AriaRole.Link, new() { Name = "Print page of version 1" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Record of processing activities, Art. 30(2) GDPR" })).ToBeVisibleAsync();
        // its inline print stylesheet applies (allowed by its hash), and still no script may run
        Assert.Equal("bold", await page.Locator("dt").First.EvaluateAsync<string>("e => getComputedStyle(e).fontWeight === '700' ? 'bold' : 'normal'"));
        await Chromium.ScreenshotAsync(page, "staff-record-print");
    }

    [Fact]
    public async Task P25_G38_the_desk_lists_each_export_alert_and_an_unusual_volume_of_exports_first()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite, s => s["Steward:Measures:AnomalyExports"] = "2");
        var tenant = await app.SignUpAsync();
        await app.DpoUserAsync(); // the CEO and the DPO, whom an export alerts
        // a return export of the client's data: one of the export paths that alert the CEO and the DPO (P-25)
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=json", null)).StatusCode);
        Assert.Equal(2, await app.WithDbAsync((db, _) => db.OutboxMessages.CountAsync(m => m.Kind == ExportAlert.Kind)));
        var page = await DpoPageAsync(chromium, app);
        var alert = page.Locator("li.decision", new() { HasText = "Export alert" });
        await Assertions.Expect(alert).ToHaveCountAsync(1); // one alert per export, however many recipients
        await Assertions.Expect(alert).ToContainTextAsync(tenant.ClientId.ToString());
        await Assertions.Expect(page.Locator("li.export-alert")).ToContainTextAsync(tenant.ClientId.ToString());

        // a second export by the same API key within the window: an unusual volume at this threshold (G-38), ranked first
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=json", null)).StatusCode);
        var anomalies = await app.WithDbAsync((_, sp) => sp.GetRequiredService<Steward.Measures.DetectAnomalies>().HandleAsync(default));
        Assert.Contains(anomalies, x => x.Kind == "exports" && x.ClientId == tenant.ClientId);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("li.decision").First).ToContainTextAsync("Unusual exports");
        await Assertions.Expect(page.Locator("li.decision").First).ToContainTextAsync(tenant.ClientId.ToString());
        await Assertions.Expect(page.Locator("li.decision", new() { HasText = "Export alert" })).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("li.export-alert.overdue")).ToContainTextAsync("an unusual volume of exports");
        await Chromium.ScreenshotAsync(page, "staff-desk-export-alerts");
    }
}
