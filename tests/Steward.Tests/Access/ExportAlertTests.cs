using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Notifications;
using Steward.Tests.Infrastructure;
using Steward.Tests.Team;

namespace Steward.Tests.Access;

/// <summary>
/// P-25 on every export path there is: the client's API (its return export, active and after termination), the
/// staff tool (a CEO or DPO with an export grant on the client's route), and the CLI's <c>steward export</c>; each
/// alert is delivered to the CEO's and the DPO's staff accounts by a real SMTP server (maildev on loopback). The
/// subject-rights package has its own test (FulfilmentTests.P25_…); the console has no export page.
/// </summary>
public sealed class ExportAlertTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P25_every_export_path_alerts_the_ceo_and_the_dpo_at_a_real_smtp_server(Engine engine)
    {
        await using var app = await Mailbox.StartAppAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var (ceo, dpo) = governance;
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(new { email = "ada@example.com", firstName = "Ada" });
        await tenant.CreateContactAsync(new { email = "bob@example.com", firstName = "Bob" });

        var expected = 0;
        async Task AssertAlertedAsync(string path, string channel, string who)
        {
            expected++;
            await using (var scope = app.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DeliverNotifications>().HandleAsync(50, default);
            foreach (var person in new[] { ceo, dpo })
            {
                var alerts = (await Mailbox.ReceivedAsync(person.Email)).Where(m => m.Subject.StartsWith("[Steward] Export from client", StringComparison.Ordinal)).ToList();
                Assert.True(alerts.Count == expected, $"{path}: {alerts.Count} alerts to the {person.Role}, expected {expected}");
                Assert.Contains(alerts, m => m.Text.Contains($"Channel: {channel}", StringComparison.Ordinal) && m.Text.Contains($"Who:     {who}", StringComparison.Ordinal)
                    && m.Text.Contains(tenant.ClientId.ToString(), StringComparison.Ordinal) && m.Text.Contains("Records: 2", StringComparison.Ordinal));
                Assert.DoesNotContain(alerts, m => m.Text.Contains("ada@example.com", StringComparison.Ordinal));
            }
        }

        // the client's API: its export of all its data
        (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=json", null)).StatusCode.Is(HttpStatusCode.OK);
        await AssertAlertedAsync("API export", "return export", "api-key");

        // the staff tool: the DPO, with an export grant approved by the CEO and a second DPO, on the client's route
        var dpo2 = await app.AddStaffAsync(ceo, Roles.Dpo);
        (await ceo.Http.PostAsJsonAsync($"/v1/staff/{dpo.Id}/onboarding", new { training = true, confidentiality = true, dpaDuties = true, guidelines = true })).StatusCode.Is(HttpStatusCode.OK);
        await (ceo, dpo2).GrantAsync(dpo, tenant.ClientId, ["export"]);
        (await dpo.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, tenant.Base + "/return-exports?format=csv").WithReason("ticket T-9"))).StatusCode.Is(HttpStatusCode.OK);
        await AssertAlertedAsync("staff tool", "return export", $"staff {dpo.Id}");

        // the termination return export, once the client cancelled and chose "return"
        (await tenant.Http.PostAsync(tenant.Base + "/cancel", null)).StatusCode.Is(HttpStatusCode.OK);
        (await tenant.Http.PostAsJsonAsync(tenant.Base + "/termination", new { choice = "return" })).StatusCode.Is(HttpStatusCode.OK);
        (await tenant.Http.PostAsync(tenant.Base + "/return-exports?format=json", null)).StatusCode.Is(HttpStatusCode.OK);
        await AssertAlertedAsync("termination return", "return export", "api-key");
        // the CLI, in its own process against the same database and on the real clock: the app's clock catches up to deliver
        var (exit, _, errors) = await app.RunCliAsync("export", "--client", tenant.ClientId.ToString());
        Assert.True(exit == 0, errors);
        app.Clock.SetUtcNow(DateTimeOffset.UtcNow.AddMinutes(1));
        await AssertAlertedAsync("steward export", "cli", "cli");

    }
}
