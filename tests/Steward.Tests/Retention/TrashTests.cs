using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Crypto;
using Steward.Retention;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Retention;

public sealed class TrashTests
{
    private static Task<int> RunTrashJobAsync(StewardApp app) => app.WithDbAsync((_, sp) => sp.GetRequiredService<EmptyTrash>().HandleAsync(default));

    private static Task<HttpResponseMessage> RestoreAsync(StaffUser support, StewardApp.Tenant tenant, Guid contact) =>
        support.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{tenant.Base}/contacts/{contact}/restore").WithReason());

    [Theory, ClassData(typeof(Engines))]
    public async Task G44_a_deleted_contact_is_hidden_restorable_by_support_on_day_59_and_erased_on_day_60(Engine engine)
    {
        // GenieBelt's support may modify client data (G-34); restoring from the trash is its service (G-44)
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:Access:Matrix"] = "GenieBelt");
        var governance = await app.SetUpGovernanceAsync();
        var support = await app.AddStaffAsync(governance.Ceo, Roles.CustomerSuccess);
        var tenant = await app.SignUpAsync();
        await governance.GrantAsync(support, tenant.ClientId, [Rights.Read, Rights.Modify]);
        var restored = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var erased = (await tenant.CreateContactAsync(new { email = "second@example.com" })).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{restored}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{erased}")).StatusCode);
        // hidden from the client at once, by id and by lookup
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{restored}")).AssertProblemAsync(404);
        var found = await tenant.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"{tenant.Base}/contacts?email=jane.doe@example.com");
        Assert.Empty(found.GetProperty("items").EnumerateArray());
        await (await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{restored}")).AssertProblemAsync(404);
        // the client cannot restore by itself
        await (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{restored}/restore", null)).AssertProblemAsync(403);

        app.Clock.Advance(TimeSpan.FromDays(59));
        Assert.Equal(0, await RunTrashJobAsync(app));
        support = await app.SignInAgainAsync(support);
        Assert.Equal(HttpStatusCode.OK, (await RestoreAsync(support, tenant, restored)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{restored}")).StatusCode);

        app.Clock.Advance(TimeSpan.FromDays(1)); // day 60
        support = await app.SignInAgainAsync(support);
        await (await RestoreAsync(support, tenant, erased)).AssertProblemAsync(410);
        Assert.Equal(1, await RunTrashJobAsync(app));
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, erased, default));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == erased)));
        await (await RestoreAsync(support, tenant, erased)).AssertProblemAsync(404);
        Assert.NotNull(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, restored, default));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G44_with_a_window_of_0_delete_means_erase_and_an_erasure_never_waits_in_the_trash(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var personizely = await app.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{personizely.ClientId}/terms", new { plan = "Personizely" })).StatusCode);
        var gone = (await personizely.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var deleted = await personizely.Http.DeleteAsync($"{personizely.Base}/contacts/{gone}");
        Assert.True((await deleted.JsonAsync()).GetProperty("erased").GetBoolean());
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(personizely.ClientId, gone, default));

        // a contact in another client's trash is erased at once when erasure is asked
        var tenant = await app.SignUpAsync();
        var trashed = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        await tenant.Http.DeleteAsync($"{tenant.Base}/contacts/{trashed}");
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{trashed}/erase", null)).StatusCode);
        Assert.Null(await app.Services.GetRequiredService<KeyVault>().OpenAsync(tenant.ClientId, trashed, default));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == trashed)));
    }
}
