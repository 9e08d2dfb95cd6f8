using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Steward.Backups;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Backups;

/// <summary>An erasure's first read is on held connections (EraseLookup): a restore must not leave them on the old data.</summary>
public sealed class EraseAfterRestoreTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P26_P19_an_erasure_after_a_restore_sees_the_restored_data(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var kept = (await tenant.CreateContactAsync(new Dictionary<string, object?>
        { ["email"] = $"kept{Guid.NewGuid().ToString("N")[..6]}@restore-erase.example" })).GetProperty("id").GetGuid();
        var backup = await app.WithDbAsync((_, sp) => sp.GetRequiredService<CreateBackup>().HandleAsync(default));
        var later = (await tenant.CreateContactAsync(new Dictionary<string, object?>
        { ["email"] = $"later{Guid.NewGuid().ToString("N")[..6]}@restore-erase.example" })).GetProperty("id").GetGuid();
        // an erasure of a contact that does not exist: its read now holds a connection
        await (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{Guid.NewGuid()}/erase", null)).AssertProblemAsync(404);

        var outcome = await app.WithDbAsync((_, sp) => sp.GetRequiredService<RestoreBackup>().HandleAsync(backup.Id, default));
        Assert.True(outcome.Status == RestoreBackup.Status.Restored, outcome.Message);

        // what was made after the backup is gone, what it held is erased
        await (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{later}/erase", null)).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{kept}/erase", null)).StatusCode);
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{kept}")).AssertProblemAsync(404);
    }
}
