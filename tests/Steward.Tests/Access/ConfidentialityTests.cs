using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Access;

/// <summary>People under the processor's authority: confidentiality undertakings and the internal guidelines.</summary>
public sealed class ConfidentialityTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P32_G22_a_contractor_without_a_confidentiality_undertaking_gets_no_access_and_the_record_outlives_their_leaving(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        await (await ceo.Http.PostAsJsonAsync("/v1/staff", new { name = "Repair Tech", email = "tech@repairs.example", role = Roles.SystemAdministration, engagement = "visitor" }))
            .AssertProblemAsync(400);
        var added = await ceo.Http.PostAsJsonAsync("/v1/staff", new { name = "Repair Tech", email = "tech@repairs.example", role = Roles.SystemAdministration, engagement = "contractor" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var contractor = await app.AcceptAndSignInAsync(await app.InvitationTokenAsync("tech@repairs.example"), "tech@repairs.example", Roles.SystemAdministration);
        var grant = new { staffId = contractor.Id, clientId = tenant.ClientId, rights = new[] { "modify" }, purpose = "Disk replacement R-7" };

        // everything but the confidentiality undertaking: no grant
        await dpo.Http.PostAsJsonAsync($"/v1/staff/{contractor.Id}/onboarding", new { training = true, dpaDuties = true, guidelines = true });
        await (await ceo.Http.PostAsJsonAsync("/v1/access-grants", grant)).AssertProblemAsync(409);
        var entry = await EntryAsync(ceo, contractor.Id);
        Assert.Equal("contractor", entry.GetProperty("engagement").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("confidentialityUndertakenAt").ValueKind);

        // signed: the grant is asked and takes effect
        await dpo.Http.PostAsJsonAsync($"/v1/staff/{contractor.Id}/onboarding", new { confidentiality = true });
        var signedAt = (await EntryAsync(ceo, contractor.Id)).GetProperty("confidentialityUndertakenAt").GetDateTimeOffset();
        Assert.Equal(app.Clock.GetUtcNow(), signedAt);
        await (ceo, dpo).GrantAsync(contractor, tenant.ClientId, ["modify"]);

        // the contractor leaves: the undertaking stays on the register, marked as a leaver's (the duty survives, G-22)
        app.Clock.Advance(TimeSpan.FromDays(200));
        var ceoAgain = await app.SignInAgainAsync(ceo);
        Assert.Equal(HttpStatusCode.OK, (await ceoAgain.Http.PostAsync($"/v1/staff/{contractor.Id}/disable", null)).StatusCode);
        var left = await EntryAsync(ceoAgain, contractor.Id);
        Assert.Equal("left", left.GetProperty("status").GetString());
        Assert.Equal(signedAt, left.GetProperty("confidentialityUndertakenAt").GetDateTimeOffset());
        Assert.Equal(app.Clock.GetUtcNow(), left.GetProperty("leftAt").GetDateTimeOffset());
        // the register is the governance's: other staff do not read it
        var support = await app.AddStaffAsync(ceoAgain, Roles.CustomerSuccess);
        await (await support.Http.GetAsync("/v1/staff/confidentiality-register")).AssertProblemAsync(403);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G39_each_person_acknowledges_the_guidelines_in_force_and_a_new_version_holds_new_grants_until_acknowledged(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var tenant = await app.SignUpAsync();
        var pm = await app.AddStaffAsync(ceo, Roles.ProductManagement, onboard: false);
        var grant = new { staffId = pm.Id, clientId = tenant.ClientId, rights = new[] { "read" }, purpose = "Feature analysis" };

        var partly = await (await dpo.Http.PostAsJsonAsync($"/v1/staff/{pm.Id}/onboarding", new { training = true, confidentiality = true, dpaDuties = true })).JsonAsync();
        Assert.False(partly.GetProperty("complete").GetBoolean());
        await (await ceo.Http.PostAsJsonAsync("/v1/access-grants", grant)).AssertProblemAsync(409);
        var done = await (await dpo.Http.PostAsJsonAsync($"/v1/staff/{pm.Id}/onboarding", new { guidelines = true })).JsonAsync();
        Assert.True(done.GetProperty("complete").GetBoolean());
        Assert.Equal("2026-12-01", done.GetProperty("guidelinesVersion").GetString());
        var first = await ceo.Http.PostAsJsonAsync("/v1/access-grants", grant);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstId = (await first.JsonAsync()).GetProperty("id").GetGuid();

        // the operator raises the version: the register shows who has not acknowledged it, new grants wait for it,
        // and a grant asked before cannot be activated either
        app.Services.GetRequiredService<IOptions<AccessOptions>>().Value.GuidelinesVersion = "2027-01-15";
        var register = await (await ceo.Http.GetAsync("/v1/staff/confidentiality-register")).JsonAsync();
        Assert.Equal("2027-01-15", register.GetProperty("currentGuidelinesVersion").GetString());
        var entry = await EntryAsync(ceo, pm.Id);
        Assert.Equal("2026-12-01", entry.GetProperty("guidelinesVersion").GetString());
        Assert.False(entry.GetProperty("guidelinesCurrent").GetBoolean());
        await (await ceo.Http.PostAsJsonAsync("/v1/access-grants", grant)).AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsync($"/v1/access-grants/{firstId}/approve", null)).StatusCode);
        await (await dpo.Http.PostAsync($"/v1/access-grants/{firstId}/approve", null)).AssertProblemAsync(409);

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.PostAsJsonAsync($"/v1/staff/{pm.Id}/onboarding", new { guidelines = true })).StatusCode);
        entry = await EntryAsync(ceo, pm.Id);
        Assert.Equal("2027-01-15", entry.GetProperty("guidelinesVersion").GetString());
        Assert.Equal(app.Clock.GetUtcNow(), entry.GetProperty("guidelinesAcknowledgedAt").GetDateTimeOffset());
        Assert.True(entry.GetProperty("guidelinesCurrent").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.PostAsync($"/v1/access-grants/{firstId}/approve", null)).StatusCode);
    }

    private static async Task<JsonElement> EntryAsync(StaffUser by, Guid staffId)
    {
        var response = await by.Http.GetAsync("/v1/staff/confidentiality-register");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("people").EnumerateArray().Single(p => p.GetProperty("staffId").GetGuid() == staffId);
    }
}
