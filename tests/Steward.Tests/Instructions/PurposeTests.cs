using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Instructions;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Instructions;

public sealed class PurposeTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P28_work_for_a_purpose_the_client_has_not_allowed_refuses_to_run_P29_statistics_only_where_the_dpa_allows(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var genieBelt = await app.SignUpAsync();
        var personizely = await app.SignUpAsync();
        await personizely.CreateContactAsync(new { email = "x@example.com" });
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{personizely.ClientId}/terms", new { ownStatisticsAllowed = true })).StatusCode);

        var refused = await (await (await app.DpoAsync()).GetAsync($"/v1/processor/clients/{genieBelt.ClientId}/statistics")).AssertProblemAsync(403);
        Assert.Contains("service-statistics", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var figures = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>($"/v1/processor/clients/{personizely.ClientId}/statistics");
        Assert.Equal(1, figures.GetProperty("contacts").GetInt32());
        var events = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "ServiceStatistics").Select(e => new { e.ClientId, e.Outcome }).ToListAsync());
        Assert.Contains(events, e => e.ClientId == genieBelt.ClientId && e.Outcome == "refused");

        // the client sees what its instructions allow
        var allowed = await genieBelt.Http.GetFromJsonAsync<JsonElement>(genieBelt.Base + "/purposes");
        Assert.DoesNotContain(allowed.EnumerateArray(), p => p.GetProperty("code").GetString() == "service-statistics");
        Assert.Contains(allowed.EnumerateArray(), p => p.GetProperty("code").GetString() == "application-functions");
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P28_a_client_registers_an_extra_purpose_bad_ones_change_nothing(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var gate = new Func<string, Task<bool>>(code => app.RunAsync(async sp =>
        {
            var db = sp.GetRequiredService<Steward.Data.StewardDb>();
            return await sp.GetRequiredService<PurposeGate>().CheckAsync(db, tenant.ClientId, code, default) is null;
        }));
        Assert.False(await gate("loyalty-scoring"));

        var bad = await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/purposes", new { code = "storage", description = "", instruction = "" })).AssertProblemAsync(400);
        foreach (var field in new[] { "code", "description", "instruction" }) Assert.True(bad.GetProperty("errors").TryGetProperty(field, out _), field);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Set<ClientPurpose>().CountAsync(), tenant.ClientId));

        Assert.Equal(HttpStatusCode.Created, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/purposes",
            new { code = "loyalty-scoring", description = "Loyalty scores", instruction = "Written instruction of 3 Nov" })).StatusCode);
        Assert.True(await gate("loyalty-scoring"));
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/purposes",
            new { code = "loyalty-scoring", description = "again", instruction = "again" })).AssertProblemAsync(409);
        // another client's register is its own
        var other = await app.SignUpAsync();
        Assert.DoesNotContain((await other.Http.GetFromJsonAsync<JsonElement>(other.Base + "/purposes")).EnumerateArray(), p => p.GetProperty("code").GetString() == "loyalty-scoring");
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P33_a_flagged_instruction_is_held_and_the_client_is_told_and_it_runs_again_once_resolved(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/terms", new { ownStatisticsAllowed = true });
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).GetAsync($"/v1/processor/clients/{tenant.ClientId}/statistics")).StatusCode);

        await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/instruction-flags", new { instruction = "" })).AssertProblemAsync(400);
        Assert.Equal(0, await app.OutboxAsync("instruction-flag"));
        var flag = await (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/instruction-flags", new
        {
            instruction = "Profile visitors' health from their browsing",
            purposeCode = "service-statistics",
            reason = "special-category data without an Art. 9 basis",
        })).JsonAsync();
        Assert.Equal(1, await app.OutboxAsync("instruction-flag", tenant.ClientId));
        await (await (await app.DpoAsync()).GetAsync($"/v1/processor/clients/{tenant.ClientId}/statistics")).AssertProblemAsync(403);
        var seen = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/instruction-flags");
        Assert.Equal("special-category data without an Art. 9 basis", Assert.Single(seen.EnumerateArray()).GetProperty("reason").GetString());

        var id = flag.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/instruction-flags/{id}/resolve",
            new { resolution = "the client withdrew the instruction in writing" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).GetAsync($"/v1/processor/clients/{tenant.ClientId}/statistics")).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G41_the_default_purpose_register_is_exactly_geniebelts_list_and_any_other_purpose_is_refused(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        string[] genieBelt = ["Storage", "Access by customer service", "Contact to and from customer service", "Use of application functions",
            "Detecting, preventing and fixing misuse", "Providing, maintaining and improving the service"];
        Assert.Equal(genieBelt, Purposes.BuiltIn.Where(p => p.Standard).Select(p => p.Description));
        var register = (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/purposes")).EnumerateArray().ToList();
        Assert.Equal(genieBelt, register.Select(p => p.GetProperty("description").GetString()));
        Assert.All(register, p => Assert.Equal("dpa", p.GetProperty("source").GetString()));

        // G-04: work tagged with any purpose outside the register does not run
        var gate = new Func<string, Task<bool>>(code => app.RunAsync(async sp =>
            await sp.GetRequiredService<PurposeGate>().CheckAsync(sp.GetRequiredService<Steward.Data.StewardDb>(), tenant.ClientId, code, default) is null));
        foreach (var code in register.Select(p => p.GetProperty("code").GetString()!)) Assert.True(await gate(code), code);
        foreach (var code in new[] { "service-statistics", "product-messages", "marketing", "profiling", "" }) Assert.False(await gate(code), code);
        await (await (await app.DpoAsync()).GetAsync($"/v1/processor/clients/{tenant.ClientId}/statistics")).AssertProblemAsync(403);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P43_aggregated_statistics_carry_their_source_purpose_and_a_job_with_another_purpose_cannot_use_them(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(new { email = "x@example.com" });
        Assert.Equal(HttpStatusCode.OK, (await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/terms", new { ownStatisticsAllowed = true })).StatusCode);
        var served = await (await app.DpoAsync()).GetFromJsonAsync<JsonElement>($"/v1/processor/clients/{tenant.ClientId}/statistics");
        Assert.Equal("service-statistics", served.GetProperty("sourcePurpose").GetString());

        var use = new Func<string, Task<string?>>(purpose => app.RunAsync(async sp =>
        {
            var db = sp.GetRequiredService<Steward.Data.StewardDb>();
            var figures = (await sp.GetRequiredService<ServiceStatistics>().HandleAsync(tenant.ClientId, default)).Value!;
            return (await sp.GetRequiredService<PurposeGate>().CheckDerivedAsync(db, figures, purpose, default))?.Detail;
        }));
        Assert.Null(await use(Purposes.ServiceStatistics));
        foreach (var other in new[] { Purposes.ProductMessages, Purposes.ServiceProvision, Purposes.ApplicationFunctions })
            Assert.Contains("derived for the purpose 'service-statistics'", await use(other), StringComparison.Ordinal);

        // once the client's terms no longer allow the source purpose, the derived data cannot be used at all
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/terms", new { ownStatisticsAllowed = false });
        var figures = new ServiceStatistics.Figures(tenant.ClientId, 1, 0, 0);
        var refused = await app.RunAsync(async sp => await sp.GetRequiredService<PurposeGate>().CheckDerivedAsync(sp.GetRequiredService<Steward.Data.StewardDb>(), figures, Purposes.ServiceStatistics, default));
        Assert.NotNull(refused);
    }
}
