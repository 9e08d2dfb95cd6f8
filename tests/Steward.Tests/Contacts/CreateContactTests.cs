using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;
using Steward.Crypto;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Contacts;

/// <summary>The create path's shortcuts give what the long way gave: declarations read once, duplicates found by the index.</summary>
public sealed class CreateContactTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P01_fields_declared_again_take_effect_on_the_next_create(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields",
            new[] { new { name = "plan", type = "text", required = true } })).StatusCode);
        var refused = await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts", new { email = "a1@example.com" })).AssertProblemAsync(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("custom.plan", out _));

        // no longer required, and a new field declared: both hold at once
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[]
        {
            new { name = "plan", type = "text", required = false }, new { name = "tier", type = "number", required = false },
        })).StatusCode);
        await tenant.CreateContactAsync(new { email = "a2@example.com" });
        await tenant.CreateContactAsync(new { email = "a3@example.com", custom = new { tier = 2 } });

        // and removed again: refused as undeclared
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", Array.Empty<object>())).StatusCode);
        var undeclared = await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts",
            new { email = "a4@example.com", custom = new { tier = 3 } })).AssertProblemAsync(400);
        Assert.True(undeclared.GetProperty("errors").TryGetProperty("custom.tier", out _));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task A_duplicate_email_refused_at_commit_leaves_no_key_no_contact_and_an_intact_chain(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(new { email = "twin@example.com" });
        var vault = app.Services.GetRequiredService<KeyVault>();
        var keys = await vault.CountAsync(tenant.ClientId, default);
        var contacts = await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId);

        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts", new { email = " TWIN@example.com" })).AssertProblemAsync(409);

        Assert.Equal(keys, await vault.CountAsync(tenant.ClientId, default));
        Assert.Equal(contacts, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
        // the refused transaction's event was chained and rolled back: the next ones chain on the head as stored
        await tenant.CreateContactAsync(new { email = "third@example.com" });
        var report = await app.WithDbAsync((_, services) => services.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
    }
    [Theory, ClassData(typeof(Engines))]
    public async Task G47_concurrent_writers_leave_one_chain_with_consecutive_seqs(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        // concurrent creates through the API, and units of work of several events (one batch of appends on PostgreSQL)
        var creates = Enumerable.Range(0, 12).Select(i => tenant.CreateContactAsync(new { email = $"c{i}@example.com" }));
        var units = Enumerable.Range(0, 6).Select(i => app.WithDbAsync(async (db, services) =>
        {
            var audit = services.GetRequiredService<AuditLog>();
            await using var write = await db.BeginWriteAsync(default);
            for (var n = 0; n < 3; n++) await audit.RecordAsync(db, "ChainProbe", "probe", $"{i}.{n}", default);
            await write.CommitAsync(default);
            return 0;
        }));
        await Task.WhenAll([.. creates, .. units]);

        var report = await app.WithDbAsync((_, services) => services.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
        var (head, probes) = await app.WithDbAsync(async (db, _) => (
            await db.AuditChainHeads.AsNoTracking().SingleAsync(),
            await db.AuditEvents.AsNoTracking().Where(e => e.Action == "ChainProbe").OrderBy(e => e.Seq).ToListAsync()));
        Assert.Equal(report.Events, head.Seq);
        Assert.Equal(18, probes.Count);
        // a unit of work's events are consecutive, in the order recorded
        foreach (var unit in probes.GroupBy(e => e.ResourceId![..e.ResourceId!.IndexOf('.')]))
            Assert.Equal(Enumerable.Range(0, 3).Select(n => unit.First().Seq + n), unit.Select(e => e.Seq));
        Assert.Equal(12, await app.WithDbAsync((db, _) => db.Contacts.CountAsync(), tenant.ClientId));
    }
}
