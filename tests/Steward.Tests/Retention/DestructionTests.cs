using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Backups;
using Steward.Crypto;
using Steward.OpenDsr;
using Steward.Retention;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Retention;

public sealed class DestructionTests
{
    private static Task<int> RunPurgeJobAsync(StewardApp app) => app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().DueAsync(default));

    private static Task<int> RunDestructionJobAsync(StewardApp app) => app.WithDbAsync((_, sp) => sp.GetRequiredService<RunDestruction>().DueAsync(default));

    private static async Task<Guid> RequestAsync(StaffUser by, Guid clientId, params Guid[] contactIds)
    {
        var filed = await by.Http.PostAsJsonAsync("/v1/destructions", new { clientId, contactIds, reason = "Retention period ended (ticket T-7)" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var body = await filed.JsonAsync();
        Assert.Equal("awaiting-approval", body.GetProperty("status").GetString());
        return body.GetProperty("id").GetGuid();
    }

    private static Task<HttpResponseMessage> ApproveAsync(StaffUser by, Guid destructionId) => by.Http.PostAsync($"/v1/destructions/{destructionId}/approve", null);

    private static Dictionary<string, int?> Stores(JsonElement report) => report.GetProperty("stores").EnumerateArray()
        .ToDictionary(s => s.GetProperty("store").GetString()!, s => s.GetProperty("found").ValueKind == JsonValueKind.Null ? (int?)null : s.GetProperty("found").GetInt32());

    [Theory, ClassData(typeof(Engines))]
    public async Task P26_a_destruction_runs_only_with_a_CEO_and_a_DPO_two_different_people_and_reports_every_store(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var ceo2 = await app.AddStaffAsync(ceo, Roles.Ceo);
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        var tenant = await app.SignUpAsync();
        var jane = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var kept = (await tenant.CreateContactAsync(new { email = "kept@example.com" })).GetProperty("id").GetGuid();
        var vault = app.Services.GetRequiredService<KeyVault>();

        // bad input changes nothing; staff without the compliance desk cannot file or approve
        await (await ceo.Http.PostAsJsonAsync("/v1/destructions", new { clientId = tenant.ClientId, reason = "" })).AssertProblemAsync(400);
        await (await ceo.Http.PostAsJsonAsync("/v1/destructions", new { clientId = tenant.ClientId, contactIds = new[] { Guid.NewGuid() }, reason = "x" })).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.Http.PostAsJsonAsync("/v1/destructions", new { clientId = tenant.ClientId, reason = "x" })).StatusCode);
        var id = await RequestAsync(ceo, tenant.ClientId, jane);
        Assert.Equal(HttpStatusCode.Forbidden, (await ApproveAsync(support, id)).StatusCode);

        // one approval does nothing; the same person twice, or a second CEO, is refused
        var first = await ApproveAsync(ceo, id);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("awaiting-approval", (await first.JsonAsync()).GetProperty("status").GetString());
        await (await ApproveAsync(ceo, id)).AssertProblemAsync(409);
        await (await ApproveAsync(ceo2, id)).AssertProblemAsync(409);
        Assert.NotNull(await vault.OpenAsync(tenant.ClientId, jane, default));
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{jane}")).StatusCode);
        await (await dpo.Http.PostAsync($"/v1/destructions/{id}/scan", null)).AssertProblemAsync(409);

        var done = await ApproveAsync(dpo, id);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var report = await done.JsonAsync();
        Assert.Equal("completed", report.GetProperty("status").GetString());
        Assert.Null(await vault.OpenAsync(tenant.ClientId, jane, default));
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{jane}")).AssertProblemAsync(404);
        Assert.NotNull(await vault.OpenAsync(tenant.ClientId, kept, default));
        Assert.Equal(1, report.GetProperty("contactsDestroyed").GetInt32());
        Assert.Equal(1, report.GetProperty("keysDestroyed").GetInt64());
        Assert.Equal([jane], report.GetProperty("keyIdsDestroyed").EnumerateArray().Select(k => k.GetGuid()));
        var stores = Stores(report);
        Assert.Equal(["backups", "database", "exports", "key-store", "logs", "mail-drop", "outbox"], stores.Keys.Order(StringComparer.Ordinal));
        Assert.All(stores.Values, found => Assert.Equal(0, found));
        Assert.Equal(ceo.Id, report.GetProperty("ceoApproval").GetProperty("staffId").GetGuid());
        Assert.Equal(dpo.Id, report.GetProperty("dpoApproval").GetProperty("staffId").GetGuid());
        Assert.Equal("automated", report.GetProperty("verifier").GetString());
        // the destruction's own key, which sealed what the scan looked for, is gone with the clean scan
        Assert.Null(await vault.OpenAsync(id, id, default));
        Assert.Null(await app.WithDbAsync((db, _) => db.Destructions.IgnoreQueryFilters().Where(d => d.Id == id).Select(d => d.IdentifiersSealed).SingleAsync()));
        Assert.Contains(await app.ReadAsync("destruction-completed"), m => m.ClientId == tenant.ClientId && m.Body.Contains(id.ToString(), StringComparison.Ordinal));
        var ledger = await app.Services.GetRequiredService<ForgetLedger>().ReadSinceAsync(DateTimeOffset.UnixEpoch, default).ToListAsync();
        Assert.Contains(ledger, e => e.SubjectId == jane);

        // the client downloads its report, as JSON and as a printable page; another client does not see it
        var own = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/destructions/{id}");
        Assert.Equal("completed", own.GetProperty("status").GetString());
        var html = await tenant.Http.GetAsync($"{tenant.Base}/destructions/{id}/report.html");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("mail-drop", await html.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var other = await app.SignUpAsync();
        await (await other.Http.GetAsync($"{other.Base}/destructions/{id}")).AssertProblemAsync(404);
        Assert.Single((await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/destructions")).EnumerateArray());

        var (exit, output, _) = await app.RunCliAsync("report", "destruction", id.ToString());
        Assert.Equal(0, exit);
        Assert.Equal(id, JsonDocument.Parse(output).RootElement.GetProperty("id").GetGuid());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_a_planted_copy_keeps_the_destruction_open_and_a_rescan_closes_it_once_removed(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var jane = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        // copies outside the database: an operator's export and a dropped mail, with the address in another case
        var exports = Directory.CreateDirectory(Path.Combine(app.DataDirectory, "exports")).FullName;
        var drop = Directory.CreateDirectory(Path.Combine(app.DataDirectory, "mail-drop")).FullName;
        await File.WriteAllTextAsync(Path.Combine(exports, "contacts.csv"), "id,email\r\n1,jane.doe@example.com\r\n");
        await File.WriteAllTextAsync(Path.Combine(drop, "old.eml"), "To: Jane.Doe@Example.com\r\nSubject: hello\r\n\r\nHi\r\n");
        await File.WriteAllTextAsync(Path.Combine(drop, "other.eml"), "To: someone@example.com\r\n\r\nHi\r\n");

        var id = await RequestAsync(dpo, tenant.ClientId, jane);
        await ApproveAsync(dpo, id);
        var open = await (await ApproveAsync(ceo, id)).JsonAsync();
        Assert.Equal("residue-found", open.GetProperty("status").GetString());
        var stores = Stores(open);
        Assert.Equal(1, stores["exports"]);
        Assert.Equal(1, stores["mail-drop"]);
        Assert.Equal(0, stores["database"]);
        Assert.Equal(0, stores["key-store"]);
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, jane, default));
        Assert.NotNull(await app.Services.GetRequiredService<KeyVault>().OpenAsync(id, id, default)); // kept to scan again
        Assert.Empty(await app.ReadAsync("destruction-completed"));

        // still there on the next pass of the job; the client sees it open
        Assert.Equal(1, await RunDestructionJobAsync(app));
        Assert.Equal("residue-found", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/destructions/{id}")).GetProperty("status").GetString());

        File.Delete(Path.Combine(exports, "contacts.csv"));
        File.Delete(Path.Combine(drop, "old.eml"));
        var rescanned = await dpo.Http.PostAsync($"/v1/destructions/{id}/scan", null);
        Assert.Equal(HttpStatusCode.OK, rescanned.StatusCode);
        var closed = await rescanned.JsonAsync();
        Assert.Equal("completed", closed.GetProperty("status").GetString());
        Assert.Equal(dpo.Id.ToString(), closed.GetProperty("verifier").GetString());
        Assert.Equal(3, closed.GetProperty("scans").GetInt32()); // at approval, the job's pass, the re-scan
        Assert.All(Stores(closed).Values, found => Assert.Equal(0, found));
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(id, id, default));
        Assert.Single(await app.ReadAsync("destruction-completed"));
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "DestructionResidueFound" && e.ResourceId == id.ToString())));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P26_P19_a_backup_holding_a_value_of_the_scope_in_clear_keeps_the_destruction_open_until_the_backup_expires(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var jane = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var clean = await app.WithDbAsync((_, sp) => sp.GetRequiredService<CreateBackup>().HandleAsync(default));
        // an operator's slip: the address typed into a column kept in clear, then caught by the next backup
        await app.WithDbAsync((db, _) => db.Clients.IgnoreQueryFilters().Where(c => c.Id == tenant.ClientId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Name, "jane.doe@example.com"), default));
        var slipped = await app.WithDbAsync((_, sp) => sp.GetRequiredService<CreateBackup>().HandleAsync(default));

        var id = await RequestAsync(dpo, tenant.ClientId, jane);
        await ApproveAsync(dpo, id);
        var open = await (await ApproveAsync(ceo, id)).JsonAsync();
        Assert.Equal("residue-found", open.GetProperty("status").GetString());
        Assert.Equal(1, Stores(open)["backups"]); // the slipped backup only: the clean one holds Jane as ciphertext under a destroyed key
        Assert.Equal(0, Stores(open)["key-store"]);

        // the backup's retention deletes it and destroys its key; the job's next scan closes the destruction
        await app.WithDbAsync((db, _) => db.Clients.IgnoreQueryFilters().Where(c => c.Id == tenant.ClientId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Name, "Doe Widgets"), default));
        app.Clock.Advance(TimeSpan.FromDays(14).Add(TimeSpan.FromMinutes(1)));
        Assert.Equal(2, await app.WithDbAsync((_, sp) => sp.GetRequiredService<PruneBackups>().HandleAsync(default)));
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(CreateBackup.KeyNamespace, slipped.Id, default));
        await RunDestructionJobAsync(app);
        var closed = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/destructions/{id}");
        Assert.Equal("completed", closed.GetProperty("status").GetString());
        Assert.Equal(0, Stores(closed)["backups"]);
        Assert.NotEqual(clean.Id, slipped.Id);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G21_a_legal_hold_suspends_the_purge_on_day_90_and_the_purge_runs_once_it_is_lifted(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);

        Assert.Equal(HttpStatusCode.Forbidden, (await support.Http.PostAsJsonAsync("/v1/legal-holds", new { clientId = tenant.ClientId, reason = "x" })).StatusCode);
        await (await dpo.Http.PostAsJsonAsync("/v1/legal-holds", new { clientId = tenant.ClientId, reason = " " })).AssertProblemAsync(400);
        await (await dpo.Http.PostAsJsonAsync("/v1/legal-holds", new { clientId = tenant.ClientId, contactId = Guid.NewGuid(), reason = "x" })).AssertProblemAsync(404);
        var placed = await dpo.Http.PostAsJsonAsync("/v1/legal-holds", new { clientId = tenant.ClientId, reason = "Tax authority audit request 2026-17" });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var holdId = (await placed.JsonAsync()).GetProperty("id").GetGuid();

        app.Clock.Advance(TimeSpan.FromDays(90));
        Assert.Equal(0, await RunPurgeJobAsync(app));
        Assert.True(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == contact)));
        Assert.NotNull(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, contact, default));
        var desk = await app.WithDbAsync((_, sp) => sp.GetRequiredService<Steward.Dpo.Desk>().HandleAsync(default));
        Assert.Contains(desk.Holds, h => h.HoldId == holdId && h.ClientStatus == "cancelled" && h.PurgeDueAt <= app.Clock.GetUtcNow());
        app.Clock.Advance(TimeSpan.FromDays(30));
        Assert.Equal(0, await RunPurgeJobAsync(app)); // only lifting ends a hold

        dpo = await app.SignInAgainAsync(dpo);
        await (await dpo.Http.PostAsJsonAsync($"/v1/legal-holds/{holdId}/lift", new { reason = "" })).AssertProblemAsync(400);
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.PostAsJsonAsync($"/v1/legal-holds/{holdId}/lift", new { reason = "Audit closed" })).StatusCode);
        await (await dpo.Http.PostAsJsonAsync($"/v1/legal-holds/{holdId}/lift", new { reason = "again" })).AssertProblemAsync(409);
        Assert.Equal(1, await RunPurgeJobAsync(app));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == contact)));
        foreach (var action in new[] { "PlaceLegalHold", "LiftLegalHold" })
            Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == action && e.ResourceId == holdId.ToString())));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G21_a_hold_on_a_contact_suspends_its_destruction_but_never_a_data_subjects_erasure(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var held = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var asking = (await tenant.CreateContactAsync(new { email = "asks@example.com" })).GetProperty("id").GetGuid();
        foreach (var contactId in new[] { held, asking })
            Assert.Equal(HttpStatusCode.Created, (await ceo.Http.PostAsJsonAsync("/v1/legal-holds",
                new { clientId = tenant.ClientId, contactId, reason = "Court order 12/2026" })).StatusCode);

        // the data subject's own erasure goes ahead under a hold
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{asking}/erase", null)).StatusCode);
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, asking, default));

        // an authorised destruction waits for the hold
        var id = await RequestAsync(ceo, tenant.ClientId, held);
        await ApproveAsync(ceo, id);
        Assert.Equal("held", (await (await ApproveAsync(dpo, id)).JsonAsync()).GetProperty("status").GetString());
        Assert.NotNull(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, held, default));
        Assert.Equal(1, await RunDestructionJobAsync(app));
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{held}")).StatusCode);

        var hold = (await ceo.Http.GetFromJsonAsync<JsonElement>($"/v1/legal-holds?clientId={tenant.ClientId}")).EnumerateArray()
            .Single(h => h.GetProperty("contactId").GetGuid() == held).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsJsonAsync($"/v1/legal-holds/{hold}/lift", new { reason = "Order set aside" })).StatusCode);
        Assert.Equal(1, await RunDestructionJobAsync(app));
        Assert.Equal("completed", (await ceo.Http.GetFromJsonAsync<JsonElement>($"/v1/destructions/{id}")).GetProperty("status").GetString());
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, held, default));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P07_a_cancelled_clients_public_and_OpenDSR_intake_is_refused_and_its_OpenDSR_requests_wait(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(ContactTests.Jane);
        var pending = await SubmitOpenDsrAsync(tenant);
        Assert.Equal(HttpStatusCode.Created, pending.StatusCode);
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);

        await (await app.Anonymous().PostAsJsonAsync("/v1/public/requests",
            new { clientId = tenant.ClientId, type = "access", emails = new[] { "jane.doe@example.com" } })).AssertProblemAsync(410);
        Assert.Equal(HttpStatusCode.Gone, (await SubmitOpenDsrAsync(tenant)).StatusCode);
        // the job skips the cancelled client: processing stopped at cancellation
        Assert.Equal(0, await app.WithDbAsync((_, sp) => sp.GetRequiredService<ProcessOpenDsrRequests>().HandleAsync(20, default)));
        Assert.True(await app.WithDbAsync((db, _) => db.SubjectRequests.IgnoreQueryFilters().AnyAsync(r => r.ClientId == tenant.ClientId && r.Status == "verified")));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_a_purge_keeps_the_sub_processor_erasure_requests_still_to_be_sent_and_their_keys(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var vault = app.Services.GetRequiredService<KeyVault>();
        var (unsent, confirmed) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        foreach (var (id, status) in new[] { (unsent, "pending"), (confirmed, "confirmed") })
        {
            using var key = await vault.CreateAsync(tenant.ClientId, id, default);
            var sealedEmail = key.Seal("email", "jane.doe@example.com");
            await app.WithDbAsync(async (db, _) =>
            {
                db.ErasureRequests.Add(new Steward.SubProcessors.ErasureRequest
                {
                    Id = id,
                    ClientId = tenant.ClientId,
                    ContactId = contact,
                    SubProcessorId = Guid.NewGuid(),
                    EmailSealed = sealedEmail,
                    Status = status,
                    CreatedAt = app.Clock.GetUtcNow(),
                    NextAttemptAt = app.Clock.GetUtcNow(),
                    DueAt = app.Clock.GetUtcNow().AddDays(30),
                });
                return await db.SaveChangesAsync();
            }, tenant.ClientId);
        }
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);
        app.Clock.Advance(TimeSpan.FromDays(90));
        Assert.Equal(1, await RunPurgeJobAsync(app));

        Assert.Null(await vault.OpenAsync(tenant.ClientId, contact, default));
        Assert.NotNull(await vault.OpenAsync(tenant.ClientId, unsent, default)); // still to go out
        Assert.Null(await vault.OpenAsync(tenant.ClientId, confirmed, default));
        var kept = await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().Where(r => r.ClientId == tenant.ClientId).Select(r => r.Id).ToListAsync());
        Assert.Equal([unsent], kept);
    }

    private static Task<HttpResponseMessage> SubmitOpenDsrAsync(StewardApp.Tenant tenant)
    {
        var body = $$"""
            {"regulation":"gdpr","subject_request_id":"{{Guid.NewGuid()}}","subject_request_type":"erasure","submitted_time":"2026-11-01T10:00:00Z",
             "subject_identities":[{"identity_type":"email","identity_value":"Jane.Doe@Example.com","identity_format":"raw"}],"status_callback_urls":[]}
            """;
        return tenant.Http.PostAsync("/v2/requests", new StringContent(body, Encoding.UTF8, "application/json"));
    }
}
