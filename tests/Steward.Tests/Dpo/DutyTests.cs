using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Steward.Dpo;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Dpo;

public sealed class DutyTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G09_the_yearly_review_recurs_and_an_overdue_one_alerts_the_dpo_until_done(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        Task<int> Remind() => app.RunAsync(sp => sp.GetRequiredService<RemindDuties>().HandleAsync(default));
        var start = app.Clock.GetUtcNow();
        var duties = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/duties");
        var review = duties.EnumerateArray().Single(d => d.GetProperty("kind").GetString() == Duty.SecurityInstructionsReview);
        Assert.Equal(start.AddDays(365), review.GetProperty("dueAt").GetDateTimeOffset());
        foreach (var kind in new[] { Duty.SecurityCheck, Duty.AccessGrantReview, Duty.SubProcessorReview })
            Assert.Contains(duties.EnumerateArray(), d => d.GetProperty("kind").GetString() == kind);

        // the 90-day checks fall due first: complete them so only the yearly review is left to watch
        foreach (var d in duties.EnumerateArray().Where(d => d.GetProperty("intervalDays").GetInt32() < 365))
            Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/duties/{d.GetProperty("id")}/complete", new { outcome = "checked early" })).StatusCode);

        app.Clock.Advance(TimeSpan.FromDays(364.5));
        Assert.Equal(2, await Remind()); // the 90-day ones, due again; the yearly one not yet
        app.Clock.Advance(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(1)); // the 90-day ones were told 12 hours ago: not again yet
        Assert.Equal(2, await Remind()); // the yearly review and the yearly sub-processor review
        Assert.Equal(4, await app.OutboxAsync("duty-overdue"));
        var listed = (await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/duties")).EnumerateArray()
            .Single(d => d.GetProperty("kind").GetString() == Duty.SecurityInstructionsReview);
        Assert.True(listed.GetProperty("overdue").GetBoolean());
        Assert.Equal(0, await Remind()); // not again the same day
        app.Clock.Advance(TimeSpan.FromHours(24));
        Assert.Equal(4, await Remind()); // but the next day, while still not done

        await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/duties/{review.GetProperty("id")}/complete", new { outcome = "" })).AssertProblemAsync(400);
        var done = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/duties/{review.GetProperty("id")}/complete", new { outcome = "guidelines v4 approved" })).JsonAsync();
        Assert.Equal(app.Clock.GetUtcNow().AddDays(365), done.GetProperty("nextDueAt").GetDateTimeOffset());
        await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/duties/{review.GetProperty("id")}/complete", new { outcome = "again" })).AssertProblemAsync(409);

        var history = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/processor/duties?all=true");
        var completion = history.EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == review.GetProperty("id").GetGuid());
        Assert.Equal("guidelines v4 approved", completion.GetProperty("outcome").GetString());
        Assert.Equal((await app.DpoUserAsync()).Id.ToString(), completion.GetProperty("completedBy").GetString());
    }
}
