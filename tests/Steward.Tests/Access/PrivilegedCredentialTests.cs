using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Crypto;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Access;

public sealed class PrivilegedCredentialTests
{
    /// <summary>P-24: only the CEO and the DPO keep the register and reveal a kept secret; each reveal is logged, alerts the other and
    /// marks the credential for rotation; anyone else is refused, and that alerts them both.</summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task P24_only_the_ceo_and_the_dpo_reveal_privileged_credentials_each_reveal_is_logged_and_alerts_the_other(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var sysadmin = await app.AddStaffAsync(ceo, Roles.SystemAdministration);
        await (await ceo.Http.PostAsJsonAsync("/v1/privileged-credentials", new { name = "", kind = "database" })).AssertProblemAsync(400);
        var issued = await ceo.Http.PostAsJsonAsync("/v1/privileged-credentials",
            new { name = "postgres superuser", kind = "database", holderStaffId = sysadmin.Id, secret = "s3cret-db-password" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var id = (await issued.JsonAsync()).GetProperty("id").GetGuid();

        // the register never lists the secret, and the database holds it sealed only
        var listed = await dpo.Http.GetStringAsync("/v1/privileged-credentials");
        Assert.Contains("postgres superuser", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-db-password", listed, StringComparison.Ordinal);
        var sealedSecret = await app.WithDbAsync((db, _) => db.PrivilegedCredentials.Select(c => c.SecretSealed).SingleAsync());
        Assert.DoesNotContain("s3cret", Encoding.UTF8.GetString(sealedSecret!), StringComparison.Ordinal);

        // anyone else: refused, and the CEO and the DPO are alerted
        await (await sysadmin.Http.PostAsync($"/v1/privileged-credentials/{id}/reveal", null)).AssertProblemAsync(403);
        await (await sysadmin.Http.GetAsync("/v1/privileged-credentials")).AssertProblemAsync(403);
        var refusedAlerts = await AlertsAsync(app);
        Assert.Contains(ceo.Email, refusedAlerts);
        Assert.Contains(dpo.Email, refusedAlerts);

        var revealed = await dpo.Http.PostAsync($"/v1/privileged-credentials/{id}/reveal", null);
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        Assert.Equal("s3cret-db-password", (await revealed.JsonAsync()).GetProperty("secret").GetString());
        var alerts = await AlertsAsync(app);
        Assert.Equal(3, alerts.Count); // the DPO's reveal tells the CEO, not the DPO
        Assert.Equal(2, alerts.Count(a => a == ceo.Email));
        var audit = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.ResourceId == id.ToString()).Select(e => new { e.Action, e.ActorId }).ToListAsync());
        Assert.Contains(audit, e => e.Action == "RevealPrivilegedCredential" && e.ActorId == dpo.Id.ToString());
        Assert.Contains(audit, e => e.Action == "RevealPrivilegedCredential" && e.ActorId == sysadmin.Id.ToString()); // the refused attempt

        // break-glass: due for rotation until rotated; reviewed; revoked, its secret is gone
        var credential = (await (await ceo.Http.GetAsync("/v1/privileged-credentials")).JsonAsync()).EnumerateArray().Single();
        Assert.Equal("rotation-due", credential.GetProperty("status").GetString());
        var rotated = await (await ceo.Http.PostAsJsonAsync($"/v1/privileged-credentials/{id}/rotate", new { secret = "new-password-2" })).JsonAsync();
        Assert.Equal("active", rotated.GetProperty("status").GetString());
        var reviewed = await (await dpo.Http.PostAsync($"/v1/privileged-credentials/{id}/review", null)).JsonAsync();
        Assert.Equal(dpo.Id, reviewed.GetProperty("reviewedBy").GetGuid());
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsync($"/v1/privileged-credentials/{id}/revoke", null)).StatusCode);
        await (await ceo.Http.PostAsync($"/v1/privileged-credentials/{id}/reveal", null)).AssertProblemAsync(409);
        Assert.Null(await app.WithDbAsync((_, services) => services.GetRequiredService<KeyVault>().OpenAsync(Guid.Empty, id, CancellationToken.None)));
    }

    private static Task<List<string>> AlertsAsync(StewardApp app) => app.WithDbAsync(async (db, services) =>
    {
        var vault = services.GetRequiredService<KeyVault>();
        var to = new List<string>();
        foreach (var message in await db.OutboxMessages.Where(m => m.Kind == "credential-alert").ToListAsync())
        {
            using var key = await vault.OpenAsync(Guid.Empty, message.Id, CancellationToken.None);
            to.Add(Encoding.UTF8.GetString(key!.Open("to", message.ToSealed)));
        }
        return to;
    });
}
