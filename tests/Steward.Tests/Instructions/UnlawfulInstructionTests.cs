using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Notifications;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Instructions;

public sealed class UnlawfulInstructionTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G18_an_instruction_flagged_as_unlawful_is_reported_to_the_controller_at_once_in_writing(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(7));
        var flag = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/instruction-flags",
            new { instruction = "Send the contacts to a list broker", reason = "no lawful basis for the disclosure" })).JsonAsync();
        var flaggedAt = flag.GetProperty("flaggedAt").GetDateTimeOffset();

        // the written notice is queued in the same moment as the flag, not at some later review
        var notice = Assert.Single(await tenant.Http.GetFromJsonAsync<JsonElement[]>(tenant.Base + "/communications") ?? [], e => e.GetProperty("kind").GetString() == "instruction-flag");
        Assert.Equal(flaggedAt, notice.GetProperty("sentAt").GetDateTimeOffset());
        Assert.Contains("list broker", Assert.Single(await app.ReadAsync("instruction-flag")).Body);
        await app.RunAsync(sp => sp.GetRequiredService<DeliverNotifications>().HandleAsync(50, default));
        notice = Assert.Single(await tenant.Http.GetFromJsonAsync<JsonElement[]>(tenant.Base + "/communications") ?? [], e => e.GetProperty("kind").GetString() == "instruction-flag");
        Assert.Equal(flaggedAt, notice.GetProperty("deliveredAt").GetDateTimeOffset());
    }
}
