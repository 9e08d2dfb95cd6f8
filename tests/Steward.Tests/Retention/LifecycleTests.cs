using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Retention;
using Steward.Tests.Consents;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Retention;

public sealed class LifecycleTests
{
    private static Task<int> RunPurgeJobAsync(StewardApp app) => app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().DueAsync(default));

    [Theory, ClassData(typeof(Engines))]
    public async Task P07_a_cancelled_client_is_read_only_its_widget_refuses_and_reactivation_restores_it(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(tenant);

        var cancelled = await tenant.Http.PostAsync(tenant.Base + "/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(app.Clock.GetUtcNow().AddDays(90), (await cancelled.JsonAsync()).GetProperty("purgeDueAt").GetDateTimeOffset());

        // storage only: reads work, writes and collection are refused, nothing changes
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contact}")).StatusCode);
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts", new { email = "new@example.com" })).AssertProblemAsync(409);
        await (await tenant.Http.PatchAsJsonAsync($"{tenant.Base}/contacts/{contact}", new { firstName = "X" })).AssertProblemAsync(409);
        await (await app.Anonymous().PostJsonAsync($"/v1/public/widgets/{widget}/submissions",
            new { fields = new { email = "visitor@example.com" }, consents = new { newsletter = true } })).AssertProblemAsync(410);
        Assert.Equal(1, await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().CountAsync(c => c.ClientId == tenant.ClientId)));
        await (await tenant.Http.PostAsync(tenant.Base + "/cancel", null)).AssertProblemAsync(409);

        app.Clock.Advance(TimeSpan.FromDays(89));
        Assert.Equal(0, await RunPurgeJobAsync(app));
        var reactivated = await tenant.Http.PostAsync(tenant.Base + "/reactivate", null);
        Assert.Equal(HttpStatusCode.OK, reactivated.StatusCode);
        Assert.Equal("active", (await reactivated.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Created, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts", new { email = "new@example.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{contact}")).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P20_on_day_90_the_purge_erases_everything_and_reactivation_is_refused(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var kept = (await other.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        await ConsentTests.DefineNewsletterAsync(tenant);
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);

        app.Clock.Advance(TimeSpan.FromDays(90));
        await (await tenant.Http.PostAsync(tenant.Base + "/reactivate", null)).AssertProblemAsync(410);
        Assert.Equal(1, await RunPurgeJobAsync(app));

        var vault = app.Services.GetRequiredService<KeyVault>();
        Assert.Equal(0, await vault.CountAsync(tenant.ClientId, default));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.ClientId == tenant.ClientId)));
        Assert.False(await app.WithDbAsync((db, _) => db.Widgets.IgnoreQueryFilters().AnyAsync(c => c.ClientId == tenant.ClientId)));
        Assert.False(await app.WithDbAsync((db, _) => db.ClientUsers.IgnoreQueryFilters().AnyAsync(c => c.ClientId == tenant.ClientId)));
        var client = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base);
        Assert.Equal("purged", client.GetProperty("status").GetString());
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "PurgeClient" && e.ResourceId == tenant.ClientId.ToString())));
        var ledger = await app.Services.GetRequiredService<ForgetLedger>().ReadSinceAsync(DateTimeOffset.UnixEpoch, default).ToListAsync();
        Assert.Contains(ledger, e => e.SubjectId == contact && e.Kind == ForgetLedger.ContactKind);
        Assert.Contains(ledger, e => e.SubjectId == tenant.ClientId && e.Kind == ForgetLedger.ClientKind);
        await (await tenant.Http.PostAsync(tenant.Base + "/reactivate", null)).AssertProblemAsync(410);

        // the other client is untouched
        Assert.NotNull(await vault.OpenAsync(other.ClientId, kept, default));
        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync($"{other.Base}/contacts/{kept}")).StatusCode);
        Assert.Equal(0, await RunPurgeJobAsync(app));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G45_the_GenieBelt_plan_purges_on_day_60_and_a_purge_cut_short_is_finished(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/terms", new { plan = "GenieBelt" })).StatusCode);
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);

        app.Clock.Advance(TimeSpan.FromDays(59));
        Assert.Equal(0, await RunPurgeJobAsync(app));
        app.Clock.Advance(TimeSpan.FromDays(1));
        // a purge interrupted after its first step: the next run finishes it
        await app.WithDbAsync((db, _) => db.Clients.Where(c => c.Id == tenant.ClientId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, "purging")));
        Assert.Equal(1, await RunPurgeJobAsync(app));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == contact)));
        Assert.Equal("purged", await app.WithDbAsync((db, _) => db.Clients.Where(c => c.Id == tenant.ClientId).Select(c => c.Status).SingleAsync()));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P47_destroy_at_termination_files_a_destruction_that_runs_once_a_CEO_and_a_DPO_approve_and_confirms_to_the_client(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/termination", new { choice = "destroy" })).AssertProblemAsync(409);
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/termination", new { choice = "burn" })).AssertProblemAsync(400);

        var chosen = await tenant.Http.PostAsJsonAsync(tenant.Base + "/termination", new { choice = "destroy" });
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        var body = await chosen.JsonAsync();
        Assert.Equal("cancelled", body.GetProperty("status").GetString());
        var destructionId = body.GetProperty("destructionId").GetGuid();
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/termination", new { choice = "destroy" })).AssertProblemAsync(409);
        // nobody destroys alone, not even the client: it waits for a CEO and a DPO (P-26)
        var vault = app.Services.GetRequiredService<KeyVault>();
        Assert.NotNull(await vault.OpenAsync(tenant.ClientId, contact, default));
        Assert.Equal("awaiting-approval", (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/destructions/{destructionId}")).GetProperty("status").GetString());
        await (await tenant.Http.PostAsync(tenant.Base + "/reactivate", null)).AssertProblemAsync(410);

        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsync($"/v1/destructions/{destructionId}/approve", null)).StatusCode);
        var report = await (await dpo.Http.PostAsync($"/v1/destructions/{destructionId}/approve", null)).JsonAsync();
        Assert.Equal("completed", report.GetProperty("status").GetString());
        Assert.Equal(1, report.GetProperty("contactsDestroyed").GetInt32());
        Assert.Null(await vault.OpenAsync(tenant.ClientId, contact, default));
        Assert.Equal(0, await vault.CountAsync(tenant.ClientId, default));
        Assert.Equal("purged", (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base)).GetProperty("status").GetString());
        Assert.True(await app.WithDbAsync((db, _) => db.OutboxMessages.AnyAsync(m => m.Kind == "client-purged" && m.ClientId == tenant.ClientId)));
        Assert.Contains(await app.ReadAsync("destruction-completed"), m => m.ClientId == tenant.ClientId);
        // the client still downloads its report after the purge
        var own = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/destructions/{destructionId}");
        Assert.Equal("client", own.GetProperty("scope").GetString());
        Assert.Contains(contact, own.GetProperty("keyIdsDestroyed").EnumerateArray().Select(k => k.GetGuid()));
        Assert.Null(own.GetProperty("requestedBy").GetString());
        await (await tenant.Http.PostAsync(tenant.Base + "/reactivate", null)).AssertProblemAsync(410);
    }
}
