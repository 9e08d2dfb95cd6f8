using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Notifications;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Access;

public sealed class AccessMailTests
{
    private static async Task<T> InScopeAsync<T>(StewardApp app, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P25_an_export_alert_reaches_the_ceo_and_the_dpo_staff_accounts_over_real_smtp(Engine engine)
    {
        await using var app = await Mailbox.StartAppAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        await InScopeAsync(app, async services =>
        {
            var db = services.GetRequiredService<Steward.Data.StewardDb>();
            await using var write = await db.BeginWriteAsync(default);
            await services.GetRequiredService<ExportAlert>().RaiseAsync(db, tenant.ClientId, "api", 3, default);
            await write.CommitAsync(default);
            return 0;
        });
        await InScopeAsync(app, services => services.GetRequiredService<DeliverNotifications>().HandleAsync(50, default));
        foreach (var person in new[] { ceo, dpo })
            Assert.Single(await Mailbox.ReceivedAsync(person.Email), m => m.Text.Contains(tenant.ClientId.ToString(), StringComparison.Ordinal));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P16_G40_a_grant_due_for_review_is_reminded_to_the_ceo_and_the_dpo_once_and_keeping_it_schedules_the_next(Engine engine)
    {
        await using var app = await Mailbox.StartAppAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var support = await app.AddStaffAsync(governance.Ceo, Roles.CustomerSuccess);
        var grant = await governance.GrantAsync(support, tenant.ClientId, ["read"]);
        var grantId = grant.GetProperty("id").GetGuid();
        Task<int> RemindAsync() => InScopeAsync(app, services => services.GetRequiredService<ReviewGrants>().RemindDueAsync(default));

        app.Clock.Advance(TimeSpan.FromDays(89));
        Assert.Equal(0, await RemindAsync());
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await RemindAsync());
        Assert.Equal(0, await RemindAsync()); // once per due date
        await InScopeAsync(app, services => services.GetRequiredService<DeliverNotifications>().HandleAsync(50, default));
        foreach (var person in new[] { governance.Ceo, governance.Dpo })
            Assert.Single(await Mailbox.ReceivedAsync(person.Email), m => m.Text.Contains(grantId.ToString(), StringComparison.Ordinal));

        var ceo = await app.SignInAgainAsync(governance.Ceo);
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsync($"/v1/access-grants/{grantId}/review", null)).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(89));
        Assert.Equal(0, await RemindAsync());
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await RemindAsync());
    }
}
