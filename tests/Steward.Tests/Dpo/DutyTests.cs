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

    [Theory, ClassData(typeof(Engines))]
    public async Task P11_a_removal_audit_cannot_close_without_the_dpos_sign_off_and_an_unsigned_one_alerts(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var contact = (await tenant.CreateContactAsync(new { email = "leaver@example.com" })).GetProperty("id").GetGuid();
        Task<int> Remind() => app.RunAsync(sp => sp.GetRequiredService<RemindDuties>().HandleAsync(default));
        async Task<JsonElement?> SignOffAsync(Guid id) => (await dpo.Http.GetFromJsonAsync<JsonElement[]>("/v1/processor/duties?all=true"))!
            .Cast<JsonElement?>().SingleOrDefault(d => d!.Value.GetProperty("title").GetString() == RemindDuties.SignOffTitle(id));

        var filed = await (await ceo.Http.PostAsJsonAsync("/v1/destructions", new { clientId = tenant.ClientId, contactIds = new[] { contact }, reason = "Retention period ended" })).JsonAsync();
        var destruction = filed.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsync($"/v1/destructions/{destruction}/approve", null)).StatusCode);
        await Remind();
        Assert.Null(await SignOffAsync(destruction)); // not destroyed yet: nothing to audit
        var done = await (await dpo.Http.PostAsync($"/v1/destructions/{destruction}/approve", null)).JsonAsync();
        Assert.Equal("completed", done.GetProperty("status").GetString());

        // the completed destruction opens its removal audit, awaiting the DPO's sign-off; once, however often the job runs
        await Remind();
        await Remind();
        var audit = (await SignOffAsync(destruction))!.Value;
        Assert.Equal("removal-audit-sign-off", audit.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, audit.GetProperty("completedAt").ValueKind);
        var auditId = audit.GetProperty("id").GetGuid();

        // the CEO cannot close it, nor the DPO without a record of what was checked
        Assert.Equal(HttpStatusCode.Forbidden, (await ceo.Http.PostAsJsonAsync($"/v1/processor/duties/{auditId}/complete", new { outcome = "looks fine" })).StatusCode);
        await (await dpo.Http.PostAsJsonAsync($"/v1/processor/duties/{auditId}/complete", new { outcome = " " })).AssertProblemAsync(400);
        Assert.Equal(JsonValueKind.Null, (await SignOffAsync(destruction))!.Value.GetProperty("completedAt").ValueKind);

        // left unsigned past its week, it alerts the DPO
        app.Clock.Advance(TimeSpan.FromDays(8));
        (ceo, dpo) = (await app.SignInAgainAsync(ceo), await app.SignInAgainAsync(dpo));
        Assert.True((await SignOffAsync(destruction))!.Value.GetProperty("overdue").GetBoolean());
        Assert.True(await Remind() >= 1);
        Assert.Contains(await app.ReadAsync("duty-overdue"), m => m.Body.Contains(auditId.ToString(), StringComparison.Ordinal));

        // the DPO's sign-off closes it, as a record of who signed and what they found
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.PostAsJsonAsync($"/v1/processor/duties/{auditId}/complete",
            new { outcome = "Report checked: 1 key destroyed, every store scanned clean" })).StatusCode);
        var signed = (await SignOffAsync(destruction))!.Value;
        Assert.Equal(dpo.Id.ToString(), signed.GetProperty("completedBy").GetString());
        Assert.StartsWith("Report checked", signed.GetProperty("outcome").GetString(), StringComparison.Ordinal);
        await Remind();
        Assert.Single((await dpo.Http.GetFromJsonAsync<JsonElement[]>("/v1/processor/duties?all=true"))!,
            d => d.GetProperty("title").GetString() == RemindDuties.SignOffTitle(destruction));
    }
}
