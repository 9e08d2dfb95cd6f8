using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.SubProcessors;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.SubProcessors;

public sealed class ReviewLapseTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G20_P12_when_a_review_lapses_the_data_stops_the_DPO_is_alerted_and_every_client_whose_data_went_there_is_told_once(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine, s => s["Steward:Alerts:Recipients:0"] = "dpo@processor.example");
        var ids = await app.ActivateNewAsync(SubProcessorFixture.Proposal("Lapsing Vendor", "AT"), SubProcessorFixture.Proposal("Reviewed Vendor", "DE"));
        var first = await app.SignUpAsync();
        var second = await app.SignUpAsync();
        async Task RemindAsync()
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Register>().RemindReviewsAsync(default);
        }
        Task<List<Outbox.Mail>> MessagesAsync(string kind) => app.ReadAsync(kind);
        async Task<bool> ReceivesAsync(StewardApp.Tenant tenant) =>
            (await tenant.LocationsAsync()).Location("Lapsing Vendor").GetProperty("receivesData").GetBoolean();

        // reviewed 30 days ago (before the notice period): the review of both falls due at day 335 and expires at day 365
        app.Clock.Advance(TimeSpan.FromDays(300));
        await app.RecordEvidenceAsync(ids[1]); // the other one is reviewed in time
        app.Clock.Advance(TimeSpan.FromDays(34));
        var contactId = (await first.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid(); // reaches both vendors
        await RemindAsync();
        Assert.Empty(await MessagesAsync(Register.SuspendedKind));
        Assert.True(await ReceivesAsync(first));

        // the day after the expiry: one alert to the DPO, one notice to each client, and no data goes there any more
        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        await RemindAsync();
        await RemindAsync();
        var alert = Assert.Single(await MessagesAsync(Register.LapsedKind));
        Assert.Equal("dpo@processor.example", alert.To);
        var notices = await MessagesAsync(Register.SuspendedKind);
        Assert.Equal(new[] { first.ClientId, second.ClientId }.Order(), notices.Select(n => n.ClientId!.Value).Order());
        Assert.All(notices, n => Assert.Contains("Lapsing Vendor", n.Subject, StringComparison.Ordinal));
        Assert.False(await ReceivesAsync(first));
        // the lapse stops new data, not what the vendor holds: erasing the contact still asks it to forget the person
        Assert.Equal(HttpStatusCode.OK, (await first.Http.PostAsync($"{first.Base}/contacts/{contactId}/erase", null)).StatusCode);
        var erasureTo = await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().Where(r => r.ContactId == contactId)
            .Select(r => r.SubProcessorId).ToListAsync());
        Assert.Equal(ids.Order(), erasureTo.Order());
        Assert.Equal(1, await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "SubProcessorReviewLapsed" && e.ResourceId == ids[0].ToString())));
        // the notice is one of the client's DPA communications (G-24)
        var communications = await first.Http.GetFromJsonAsync<JsonElement>(first.Base + "/communications");
        Assert.Contains(communications.EnumerateArray(), c => c.GetProperty("kind").GetString() == Register.SuspendedKind);

        // reviewed again: it receives data, and a later lapse is told again
        await app.RecordEvidenceAsync(ids[0]);
        Assert.True(await ReceivesAsync(first));
        app.Clock.Advance(TimeSpan.FromDays(366));
        await RemindAsync();
        Assert.Equal(2, (await MessagesAsync(Register.LapsedKind)).Count(m => m.Subject.Contains("Lapsing Vendor", StringComparison.Ordinal)));
        Assert.Equal(4, (await MessagesAsync(Register.SuspendedKind)).Count(m => m.Subject.Contains("Lapsing Vendor", StringComparison.Ordinal)));
    }
}
