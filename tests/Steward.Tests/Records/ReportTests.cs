using System.Net.Http.Json;
using System.Text.Json;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Records;

public sealed class ReportTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P34_the_dpia_package_is_complete_for_a_client_from_live_data(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine, s =>
        {
            s["Steward:Processor:Transfers:0:Recipient"] = "Mail relay Inc.";
            s["Steward:Processor:Transfers:0:Country"] = "US";
            s["Steward:Processor:Transfers:0:Safeguard"] = "Data Privacy Framework";
        });
        var tenant = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "plan", type = "text", required = false } });
        var package = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/dpia-package");
        var processing = package.GetProperty("processing");
        Assert.Equal(tenant.ClientId, processing.GetProperty("clientId").GetGuid());
        Assert.Contains("custom:plan", processing.GetProperty("personalData").EnumerateArray().Select(p => p.GetString()));
        Assert.NotEmpty(processing.GetProperty("categoriesOfProcessing").EnumerateArray());
        Assert.Equal("Mail relay Inc.", package.GetProperty("subProcessorsAndTransfers")[0].GetProperty("recipient").GetString());
        Assert.NotEmpty(package.GetProperty("securityMeasures").EnumerateArray());
        Assert.Contains(package.GetProperty("knownRisks").EnumerateArray(), r => r.GetProperty("source").GetString() == "transfer");
        Assert.Contains("Dana Protect", package.GetProperty("processor").GetProperty("dataProtectionOfficer").GetString(), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P31_the_measures_report_shows_audits_and_open_findings_as_they_change(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var before = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/measures-report");
        Assert.Empty(before.GetProperty("audits").EnumerateArray());
        Assert.Empty(before.GetProperty("openFindings").EnumerateArray());
        Assert.Equal(12, before.GetProperty("terms").GetProperty("auditIntervalMonths").GetInt32());

        await tenant.Http.PostAsJsonAsync(tenant.Base + "/inspections", new { kind = "routine", auditorFirm = "Audit ApS", ndaReference = "NDA-1", from = app.Clock.GetUtcNow().AddDays(-1), to = app.Clock.GetUtcNow() });
        await (await app.DpoAsync()).PostAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/instruction-flags", new { instruction = "keep data forever", reason = "storage limitation" });
        await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), awareAt = app.Clock.GetUtcNow(), awareReason = "confirmed", nature = "lost laptop", clientIds = new[] { tenant.ClientId } });
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{tenant.ClientId}/terms", new { auditIntervalMonths = 0 });

        var after = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/measures-report");
        Assert.Equal("Audit ApS", Assert.Single(after.GetProperty("audits").EnumerateArray()).GetProperty("auditorFirm").GetString());
        Assert.Equal(["breach", "instruction-flag"], after.GetProperty("openFindings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()).Order());
        Assert.Equal(0, after.GetProperty("terms").GetProperty("auditIntervalMonths").GetInt32());
    }
}
