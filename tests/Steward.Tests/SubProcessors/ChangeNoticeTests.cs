using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.SubProcessors;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.SubProcessors;

public sealed class ChangeNoticeTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G13_P36_a_new_sub_processor_takes_effect_30_days_after_the_notice_reached_every_client_not_on_day_29(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var a = await app.SignUpAsync();
        var b = await app.SignUpAsync();

        // an effective date earlier than the notice period allows is refused, and nothing is created
        var early = SubProcessorFixture.Proposal("Early Mail", "DE");
        early["effectiveAt"] = app.Clock.GetUtcNow().AddDays(29);
        await (await (await app.DpoAsync()).PostAsJsonAsync("/v1/admin/subprocessors", early)).AssertProblemAsync(400);
        Assert.False(await app.WithDbAsync((db, _) => db.SubProcessors.AnyAsync(s => s.Name == "Early Mail")));

        var change = await app.ProposeAsync(SubProcessorFixture.Proposal("Brevo Mail", "FR"));
        var changeId = change.GetProperty("id").GetGuid();
        var subProcessorId = change.GetProperty("subProcessorId").GetGuid();
        Assert.Equal(2, change.GetProperty("notices").GetInt32());
        var notices = await app.WithDbAsync((db, _) => db.OutboxMessages.Where(m => m.Kind == "subprocessor-change").Select(m => m.ClientId).ToListAsync());
        Assert.Equal(new Guid?[] { a.ClientId, b.ClientId }.Order(), notices.Order());

        // not yet delivered: the notice period has not started, whatever the date
        await app.RecordEvidenceAsync(subProcessorId);
        app.Clock.Advance(TimeSpan.FromDays(31));
        var undelivered = await (await app.ActivateAsync(changeId)).AssertProblemAsync(409);
        Assert.Contains("not yet reached 2 client", undelivered.GetProperty("detail").GetString());

        // delivered now: day 29 is refused, day 30 takes effect
        await app.DeliverMailAsync();
        await app.RecordEvidenceAsync(subProcessorId); // the review is current
        app.Clock.Advance(TimeSpan.FromDays(29));
        var day29 = await (await app.ActivateAsync(changeId)).AssertProblemAsync(409);
        Assert.Contains("notice period has not run", day29.GetProperty("detail").GetString());
        var before = await a.LocationsAsync();
        Assert.False(before.Location("Brevo Mail").GetProperty("receivesData").GetBoolean());
        Assert.Equal("proposed", before.Location("Brevo Mail").GetProperty("status").GetString());

        app.Clock.Advance(TimeSpan.FromDays(1));
        var effective = await app.ActivateAsync(changeId);
        Assert.Equal(HttpStatusCode.OK, effective.StatusCode);
        Assert.Equal("effective", (await effective.JsonAsync()).GetProperty("status").GetString());

        // G-12: the client's data-location answer now names it, with its country and basis, and the client was told
        var after = await a.LocationsAsync();
        var brevo = after.Location("Brevo Mail");
        Assert.True(brevo.GetProperty("receivesData").GetBoolean());
        Assert.Equal("FR", brevo.GetProperty("countries")[0].GetProperty("country").GetString());
        Assert.Equal("EEA", brevo.GetProperty("countries")[0].GetProperty("basis").GetString());
        Assert.Equal(2, await app.WithDbAsync((db, _) => db.OutboxMessages.CountAsync(m => m.Kind == "subprocessor-effective")));
        var list = await app.Anonymous().GetFromJsonAsync<JsonElement>("/v1/subprocessors");
        Assert.Equal("active", list.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Brevo Mail").GetProperty("status").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P12_G14_P37_activation_needs_a_DPA_with_equivalent_terms_due_diligence_and_a_current_review(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        await app.SignUpAsync();
        var change = await app.ProposeAsync(SubProcessorFixture.Proposal("Paperless Co", "NL"));
        var changeId = change.GetProperty("id").GetGuid();
        var id = change.GetProperty("subProcessorId").GetGuid();
        await app.DeliverMailAsync();
        app.Clock.Advance(TimeSpan.FromDays(30));

        var none = await (await app.ActivateAsync(changeId)).AssertProblemAsync(409);
        Assert.Contains("no sub-processor agreement", none.GetProperty("detail").GetString());
        await app.RecordEvidenceAsync(id, new() { ["equivalentTerms"] = false });
        Assert.Contains("equivalent", (await (await app.ActivateAsync(changeId)).AssertProblemAsync(409)).GetProperty("detail").GetString());
        await app.RecordEvidenceAsync(id, new() { ["lastReviewedAt"] = app.Clock.GetUtcNow().AddDays(-400) });
        Assert.Contains("review", (await (await app.ActivateAsync(changeId)).AssertProblemAsync(409)).GetProperty("detail").GetString());
        await app.RecordEvidenceAsync(id);
        Assert.Equal(HttpStatusCode.OK, (await app.ActivateAsync(changeId)).StatusCode);

        // evidence that lapses later stops the flow: a year and a day after the review, no data goes
        var tenant = await app.SignUpAsync();
        Assert.True((await tenant.LocationsAsync()).Location("Paperless Co").GetProperty("receivesData").GetBoolean());
        app.Clock.Advance(TimeSpan.FromDays(366));
        var lapsed = (await tenant.LocationsAsync()).Location("Paperless Co");
        Assert.False(lapsed.GetProperty("receivesData").GetBoolean());
        Assert.Contains("no current evidence", lapsed.GetProperty("reason").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G13_an_objection_on_day_7_is_accepted_on_day_8_refused_and_the_objecting_client_gets_no_data_flow(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var a = await app.SignUpAsync();
        var b = await app.SignUpAsync();
        var c = await app.SignUpAsync();
        var change = await app.ProposeAsync(SubProcessorFixture.Proposal("Analytica", "IE"));
        var changeId = change.GetProperty("id").GetGuid();
        await app.RecordEvidenceAsync(change.GetProperty("subProcessorId").GetGuid());
        await app.DeliverMailAsync();

        var seen = await a.Http.GetFromJsonAsync<JsonElement>(a.Base + "/subprocessor-changes");
        var mine = Assert.Single(seen.EnumerateArray());
        Assert.Equal(app.Clock.GetUtcNow().AddDays(7), mine.GetProperty("objectionDeadline").GetDateTimeOffset());

        // without reasons: refused, nothing recorded
        var url = $"/subprocessor-changes/{changeId}/objections";
        await (await a.Http.PostAsJsonAsync(a.Base + url, new { reason = " " })).AssertProblemAsync(400);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Objections.IgnoreQueryFilters().CountAsync()));

        app.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(HttpStatusCode.Created, (await a.Http.PostAsJsonAsync(a.Base + url, new { reason = "Our customers are public bodies that forbid analytics vendors." })).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(1));
        var late = await (await b.Http.PostAsJsonAsync(b.Base + url, new { reason = "We found out late and we do not want it." })).AssertProblemAsync(409);
        Assert.Contains("objection window closed", late.GetProperty("detail").GetString());

        // another client's change id is not theirs to see: C cannot object on A's behalf, only for itself
        await (await c.Http.PostAsJsonAsync(c.Base + $"/subprocessor-changes/{Guid.NewGuid()}/objections", new { reason = "Some valid reason here." })).AssertProblemAsync(404);

        // the DPO sees the open objection
        var dpo = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>("/v1/admin/subprocessor-changes");
        var objection = Assert.Single(dpo.EnumerateArray().Single(x => x.GetProperty("id").GetGuid() == changeId).GetProperty("objections").EnumerateArray());
        Assert.Equal(a.ClientId, objection.GetProperty("clientId").GetGuid());
        Assert.Equal("open", objection.GetProperty("status").GetString());

        app.Clock.Advance(TimeSpan.FromDays(22));
        Assert.Equal(HttpStatusCode.OK, (await app.ActivateAsync(changeId)).StatusCode);
        var forA = (await a.LocationsAsync()).Location("Analytica");
        Assert.False(forA.GetProperty("receivesData").GetBoolean());
        Assert.Contains("objected", forA.GetProperty("reason").GetString());
        Assert.True((await b.LocationsAsync()).Location("Analytica").GetProperty("receivesData").GetBoolean());

        // answered with an alternative: still nothing flows; withdrawn instead would let it flow
        var answer = await (await app.DpoAsync()).PostAsJsonAsync($"/v1/admin/objections/{objection.GetProperty("id").GetGuid()}/answer",
            new { outcome = "alternative", text = "Your data stays with our in-house analytics." });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.False((await a.LocationsAsync()).Location("Analytica").GetProperty("receivesData").GetBoolean());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G15_G16_G20_a_client_sees_every_sub_processor_agreement_on_file_its_yearly_review_and_a_direct_contact(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var id = (await app.ActivateNewAsync(SubProcessorFixture.Proposal("Contract Vendor", "NL")))[0];
        await app.RecordEvidenceAsync(id, new() { ["certifications"] = "ISO/IEC 27001:2022, SOC 2 Type II" });
        var tenant = await app.SignUpAsync();

        var agreements = (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/subprocessor-agreements")).EnumerateArray().ToList();
        Assert.Equal(16, agreements.Count); // the fifteen seeded entries and the new one
        var entry = agreements.Single(a => a.GetProperty("name").GetString() == "Contract Vendor");
        Assert.Equal("DPA-2026-11 signed", entry.GetProperty("agreement").GetString());
        Assert.True(entry.GetProperty("equivalentTerms").GetBoolean());
        Assert.Equal("ISO/IEC 27001:2022, SOC 2 Type II", entry.GetProperty("certifications").GetString());
        Assert.Equal("NL: EEA, no transfer", entry.GetProperty("transferBasis").GetString());
        Assert.True(entry.GetProperty("receivesYourData").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("evidenceProblem").ValueKind);
        // G-20: when it was last reviewed, and when the next yearly review falls due
        Assert.Equal(TimeSpan.FromDays(365), entry.GetProperty("nextReviewDue").GetDateTimeOffset() - entry.GetProperty("lastReviewedAt").GetDateTimeOffset());
        // G-16: a contact for every active sub-processor with its evidence on file, to reach it directly
        Assert.Equal("privacy@contract-vendor.example", entry.GetProperty("directContact").GetString());
        Assert.All(agreements.Where(a => a.GetProperty("status").GetString() == "active" && a.GetProperty("evidenceProblem").ValueKind == JsonValueKind.Null),
            a => Assert.Contains("@", a.GetProperty("directContact").GetString()));
        // a seeded entry is shown with what is missing, and receives nothing
        var seeded = agreements.Single(a => a.GetProperty("name").GetString() == "MailChimp");
        Assert.Contains("not yet confirmed", seeded.GetProperty("evidenceProblem").GetString());
        Assert.False(seeded.GetProperty("receivesYourData").GetBoolean());

        var other = await app.SignUpAsync();
        await (await other.Http.GetAsync(tenant.Base + "/subprocessor-agreements")).AssertProblemAsync(404);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G20_the_DPO_is_reminded_once_a_month_before_a_yearly_review_is_due_and_again_after_the_next_review(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine, s => s["Steward:Alerts:Recipients:0"] = "dpo@processor.example");
        var id = (await app.ActivateNewAsync(SubProcessorFixture.Proposal("Yearly Vendor", "AT")))[0];
        async Task<int> RemindersAsync() => await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "SubProcessorReviewDue" && e.ResourceId == id.ToString()));
        async Task RemindAsync()
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Register>().RemindReviewsAsync(default);
        }

        await RemindAsync();
        Assert.Equal(0, await RemindersAsync()); // reviewed 30 days ago: not due
        app.Clock.Advance(TimeSpan.FromDays(304));
        await RemindAsync();
        Assert.Equal(0, await RemindersAsync());
        app.Clock.Advance(TimeSpan.FromDays(1)); // 335 days after the review: a month before it expires
        await RemindAsync();
        await RemindAsync();
        Assert.Equal(1, await RemindersAsync());
        Assert.True(await app.WithDbAsync((db, _) => db.OutboxMessages.AnyAsync(m => m.Kind == "subprocessor-review-due")));

        await app.RecordEvidenceAsync(id); // the review is recorded: the next reminder comes eleven months later
        app.Clock.Advance(TimeSpan.FromDays(334));
        await RemindAsync();
        Assert.Equal(1, await RemindersAsync());
        app.Clock.Advance(TimeSpan.FromDays(1));
        await RemindAsync();
        Assert.Equal(2, await RemindersAsync());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task API5_processor_admin_functions_refuse_clients_and_wrong_keys(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var proposal = SubProcessorFixture.Proposal("Sneaky Vendor", "DE");
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PostAsJsonAsync("/v1/admin/subprocessors", proposal)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.Http.PostAsJsonAsync("/v1/admin/subprocessors", proposal)).StatusCode);
        var wrong = app.Anonymous();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-admin-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/v1/admin/subprocessors", proposal)).StatusCode);
        Assert.False(await app.WithDbAsync((db, _) => db.SubProcessors.AnyAsync(s => s.Name == "Sneaky Vendor")));
    }
}
