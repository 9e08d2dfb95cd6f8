using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Retention;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Agreements;

public sealed class EvidenceRetentionTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G22_after_a_client_is_purged_its_dpa_acceptance_and_audit_evidence_remain_without_personal_data(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);
        app.Clock.Advance(TimeSpan.FromDays(90));
        Assert.Equal(1, await app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().DueAsync(default)));

        // the DPA duties survive the end of the contract: which version was accepted, when and how is still on file
        var acceptances = await app.WithDbAsync((db, _) => db.Acceptances.IgnoreQueryFilters().AsNoTracking().Where(a => a.ClientId == tenant.ClientId).ToListAsync());
        Assert.Contains(acceptances, a => a.Document == "dpa" && a.Method == "click-through");
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "PurgeClient" && e.ResourceId == tenant.ClientId.ToString())));
        // and nothing personal in it can be read any more: the client's keys, which sealed the IP and user agent, are gone
        Assert.Equal(0, await app.Services.GetRequiredService<KeyVault>().CountAsync(tenant.ClientId, default));
    }
}
