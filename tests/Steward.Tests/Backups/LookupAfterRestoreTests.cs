using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Backups;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Backups;

/// <summary>The lookup by email reads on held connections (HeldReader): a restore must not leave them on the old data.</summary>
public sealed class LookupAfterRestoreTests
{
    private static async Task<JsonElement[]> FindAsync(StewardApp.Tenant tenant, string email) =>
        [.. (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email={Uri.EscapeDataString(email)}"))
            .GetProperty("items").EnumerateArray()];

    [Theory, ClassData(typeof(Engines))]
    public async Task P02_P19_a_lookup_by_email_after_a_restore_sees_the_restored_data(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var kept = $"kept{Guid.NewGuid().ToString("N")[..6]}@restore-lookup.example";
        var later = $"later{Guid.NewGuid().ToString("N")[..6]}@restore-lookup.example";
        await tenant.CreateContactAsync(new Dictionary<string, object?> { ["email"] = kept });
        var backup = await app.WithDbAsync((_, sp) => sp.GetRequiredService<CreateBackup>().HandleAsync(default));
        await tenant.CreateContactAsync(new Dictionary<string, object?> { ["email"] = later });
        // both found now, on connections the lookup then holds
        Assert.Single(await FindAsync(tenant, kept));
        Assert.Single(await FindAsync(tenant, later));

        // in this process, as the server's own connections are held (the CLI's restore runs with the server stopped)
        var outcome = await app.WithDbAsync((_, sp) => sp.GetRequiredService<RestoreBackup>().HandleAsync(backup.Id, default));
        Assert.True(outcome.Status == RestoreBackup.Status.Restored, outcome.Message);

        // what the backup held is found, what was made after it is not
        var found = Assert.Single(await FindAsync(tenant, kept));
        Assert.Equal(kept, found.GetProperty("email").GetString());
        // (no collection in the message: it would print the value)
        Assert.True((await FindAsync(tenant, later)).Length == 0, "The contact made after the backup is still found.");
    }
}
