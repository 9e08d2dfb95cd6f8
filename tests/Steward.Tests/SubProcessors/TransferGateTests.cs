using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.SubProcessors;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.SubProcessors;

public sealed class TransferGateTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G17_G03_P35_the_gate_passes_the_EEA_and_adequacy_and_DPF_only_with_an_instruction_and_blocks_the_rest(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();

        // P-35: a sub-processor in a country without adequacy and without SCCs cannot even be proposed
        var brazilNoSccs = await (await (await app.DpoAsync()).PostAsJsonAsync("/v1/admin/subprocessors", SubProcessorFixture.Proposal("Rio Data", "BR"))).AssertProblemAsync(409);
        Assert.Contains("BR", brazilNoSccs.GetProperty("detail").GetString());
        var usUncertified = await (await (await app.DpoAsync()).PostAsJsonAsync("/v1/admin/subprocessors", SubProcessorFixture.Proposal("Uncertified Inc", "US"))).AssertProblemAsync(409);
        Assert.Contains("Data Privacy Framework", usUncertified.GetProperty("detail").GetString());
        Assert.False(await app.WithDbAsync((db, _) => db.SubProcessors.AnyAsync(s => s.Name == "Rio Data" || s.Name == "Uncertified Inc")));

        var dpf = SubProcessorFixture.Proposal("Certified Inc", "US");
        dpf["dpfCertified"] = true;
        var brazil = SubProcessorFixture.Proposal("Sao Paulo Cloud", "BR");
        brazil["sccsSignedAt"] = app.Clock.GetUtcNow();
        brazil["sccsModule"] = "P2P";
        brazil["transferAssessment"] = "TIA-2026-04: encryption with EU-held keys; access limited to support";
        await app.ActivateNewAsync(SubProcessorFixture.Proposal("Oslo Hosting", "NO"), SubProcessorFixture.Proposal("Zurich Mail", "CH"), dpf, brazil);

        var locations = await tenant.LocationsAsync();
        // G-03: Norway is inside the EEA: not a transfer at all
        var oslo = locations.Location("Oslo Hosting");
        Assert.True(oslo.GetProperty("receivesData").GetBoolean());
        Assert.Equal("EEA", oslo.GetProperty("countries")[0].GetProperty("basis").GetString());
        var zurich = locations.Location("Zurich Mail");
        Assert.True(zurich.GetProperty("receivesData").GetBoolean());
        Assert.StartsWith("adequacy decision of 2000-07-26", zurich.GetProperty("countries")[0].GetProperty("basis").GetString());
        // DPF-certified, but no client instruction naming the DPF: blocked, and shown as such
        var certified = locations.Location("Certified Inc");
        Assert.False(certified.GetProperty("receivesData").GetBoolean());
        Assert.Contains("blocked", certified.GetProperty("reason").GetString());
        Assert.False(locations.Location("Sao Paulo Cloud").GetProperty("receivesData").GetBoolean());

        // the client's documented instructions open exactly those routes
        await (await tenant.Http.PutAsJsonAsync(tenant.Base + "/transfer-instructions", new[] { new { country = "US", mechanism = "privacy-shield" } })).AssertProblemAsync(400);
        Assert.False((await tenant.LocationsAsync()).Location("Certified Inc").GetProperty("receivesData").GetBoolean());
        var set = await tenant.Http.PutAsJsonAsync(tenant.Base + "/transfer-instructions", new[] { new { country = "US", mechanism = "dpf" }, new { country = "BR", mechanism = "sccs" } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        locations = await tenant.LocationsAsync();
        Assert.True(locations.Location("Certified Inc").GetProperty("receivesData").GetBoolean());
        Assert.Contains("Data Privacy Framework", locations.Location("Certified Inc").GetProperty("countries")[0].GetProperty("basis").GetString());
        Assert.True(locations.Location("Sao Paulo Cloud").GetProperty("receivesData").GetBoolean());

        // a DPF certification that lapses closes the US route at once
        await app.RecordEvidenceAsync(locations.Location("Certified Inc").GetProperty("id").GetGuid(), new() { ["dpfCertified"] = false });
        Assert.False((await tenant.LocationsAsync()).Location("Certified Inc").GetProperty("receivesData").GetBoolean());
        // instructions belong to their client: another client's routes stay closed
        var other = await app.SignUpAsync();
        Assert.False((await other.LocationsAsync()).Location("Sao Paulo Cloud").GetProperty("receivesData").GetBoolean());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G12_P19_the_data_location_answer_names_database_backups_and_every_sub_processor(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var locations = await tenant.LocationsAsync();
        Assert.Equal("DE", locations.GetProperty("primaryDatabase").GetProperty("country").GetString());
        Assert.Equal(engine.ToString(), locations.GetProperty("primaryDatabase").GetProperty("engine").GetString());
        Assert.Equal("DE", locations.GetProperty("backups").GetProperty("country").GetString());
        Assert.Equal(15, locations.GetProperty("subProcessors").GetArrayLength());
        // seeded facts are unconfirmed: nothing flows until the operator confirms them
        Assert.All(locations.GetProperty("subProcessors").EnumerateArray(), s => Assert.False(s.GetProperty("receivesData").GetBoolean()));

        // another client's locations are not reachable
        var other = await app.SignUpAsync();
        await (await other.Http.GetAsync(tenant.Base + "/data-locations")).AssertProblemAsync(404);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G12_P19_the_data_location_answer_changes_when_a_sub_processor_is_added_and_the_client_is_told_of_every_change(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        Task<int> NoticesAsync(string kind) => app.WithDbAsync((db, _) => db.OutboxMessages.CountAsync(m => m.Kind == kind && m.ClientId == tenant.ClientId));

        // a sub-processor added: the data-location answer names it, and the client is told when it takes effect
        Assert.DoesNotContain((await tenant.LocationsAsync()).GetProperty("subProcessors").EnumerateArray(), s => s.GetProperty("name").GetString() == "Atlantic Mail");
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/transfer-instructions", new[] { new { country = "US", mechanism = "dpf" } })).StatusCode);
        var us = SubProcessorFixture.Proposal("Atlantic Mail", "US");
        us["dpfCertified"] = true;
        var id = (await app.ActivateNewAsync(us))[0];
        Assert.Equal(1, await NoticesAsync("subprocessor-effective"));
        var added = (await tenant.LocationsAsync()).Location("Atlantic Mail");
        Assert.Equal("active", added.GetProperty("status").GetString());
        Assert.True(added.GetProperty("receivesData").GetBoolean());
        Assert.Equal("US", added.GetProperty("countries")[0].GetProperty("country").GetString());
        Assert.Contains("Data Privacy Framework", added.GetProperty("countries")[0].GetProperty("basis").GetString());

        // its transfer basis changes (SCCs added as a fallback to the DPF): the client is told, once, before and after
        var sccs = new Dictionary<string, object?> { ["sccsSignedAt"] = app.Clock.GetUtcNow(), ["sccsModule"] = "P2P", ["transferAssessment"] = "TIA 2026-04 on file" };
        await app.RecordEvidenceAsync(id, sccs);
        Assert.Equal(1, await NoticesAsync(Register.LocationChangedKind));
        await app.RecordEvidenceAsync(id, sccs); // the same facts again: nothing changed, nothing sent
        Assert.Equal(1, await NoticesAsync(Register.LocationChangedKind));
        await app.DeliverMailAsync();
        var mail = Directory.GetFiles(Path.Combine(app.DataDirectory, "mail-drop"), "*.eml").Select(f => MimeKit.MimeMessage.Load(f))
            .Single(m => m.Subject?.Contains("Where your data lives has changed", StringComparison.Ordinal) == true);
        Assert.Contains("Before: US: EU-US Data Privacy Framework", mail.TextBody);
        Assert.Contains("Now:    US: EU-US Data Privacy Framework, SCCs as fallback", mail.TextBody);
        // it is one of the written communications under the DPA (G-24)
        var log = await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base + "/communications");
        Assert.Contains(log.EnumerateArray(), e => e.GetProperty("kind").GetString() == Register.LocationChangedKind);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G12_P19_a_new_database_or_backup_location_is_told_to_every_client_once(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        Task<int> AnnounceAsync(ResidencyOptions residency) => app.WithDbAsync((_, sp) =>
            ActivatorUtilities.CreateInstance<DataLocations>(sp, Options.Create(residency)).AnnounceResidencyChangeAsync(default));
        Task<int> NoticesAsync() => app.WithDbAsync((db, _) => db.OutboxMessages.CountAsync(m => m.Kind == Register.LocationChangedKind && m.ClientId == tenant.ClientId));

        // what each start finds in the configuration: the same locations again tell nobody
        var today = new ResidencyOptions();
        await AnnounceAsync(today);
        Assert.Equal(0, await AnnounceAsync(today));
        Assert.Equal(0, await NoticesAsync());

        // the backups move to another region: every client is told, once
        var moved = new ResidencyOptions { BackupProvider = "Example Cloud GmbH", BackupCountry = "AT", BackupRegion = "Vienna" };
        Assert.Equal(1, await AnnounceAsync(moved));
        Assert.Equal(0, await AnnounceAsync(moved));
        Assert.Equal(1, await NoticesAsync());
        await app.DeliverMailAsync();
        var mail = Directory.GetFiles(Path.Combine(app.DataDirectory, "mail-drop"), "*.eml").Select(f => MimeKit.MimeMessage.Load(f))
            .Single(m => m.Subject?.Contains("Where your data lives has changed", StringComparison.Ordinal) == true);
        Assert.Contains("backups: Example Cloud GmbH, AT (Vienna)", mail.TextBody);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G17_P35_a_blocked_transfer_is_answered_with_its_reason_and_logged_never_silent(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var us = SubProcessorFixture.Proposal("Atlantic Mail", "US");
        us["dpfCertified"] = true;
        var id = (await app.ActivateNewAsync(us))[0];
        async Task<JsonElement> CheckAsync() => await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/transfers/check", new { subProcessorId = id })).JsonAsync();
        Task<int> BlockedAsync() => app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == DataLocations.TransferBlockedAction && e.ClientId == tenant.ClientId));

        // DPF-certified, but the client has not allowed the DPF: blocked, audited, in the service log
        var blocked = await CheckAsync();
        Assert.False(blocked.GetProperty("allowed").GetBoolean());
        Assert.Contains("blocked", blocked.GetProperty("reason").GetString());
        Assert.Equal(1, await BlockedAsync());
        Assert.Contains(app.Logs, l => l.Contains("blocked", StringComparison.Ordinal) && l.Contains("Atlantic Mail", StringComparison.Ordinal));

        // once the client's instruction allows it, the same flow passes and nothing more is logged
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PutAsJsonAsync(tenant.Base + "/transfer-instructions", new[] { new { country = "US", mechanism = "dpf" } })).StatusCode);
        Assert.True((await CheckAsync()).GetProperty("allowed").GetBoolean());
        Assert.Equal(1, await BlockedAsync());

        // no sub-processor, or an unknown one: a problem, nothing recorded
        Assert.Equal(HttpStatusCode.BadRequest, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/transfers/check", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/transfers/check", new { subProcessorId = Guid.NewGuid() })).StatusCode);
        Assert.Equal(1, await BlockedAsync());
    }

    [Fact]
    public async Task P19_a_backup_region_outside_the_EEA_stops_the_service_at_start()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await StewardApp.StartAsync(Engine.Sqlite, s => s["Steward:Residency:BackupCountry"] = "US");
        });
        Assert.Contains("EEA", failure.ToString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G49_the_public_list_and_page_are_generated_from_the_register_with_location_and_transfer_basis(Engine engine)
    {
        await using var app = await SubProcessorFixture.StartAsync(engine);
        var list = await app.Anonymous().GetFromJsonAsync<JsonElement>("/v1/subprocessors");
        var names = list.EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        string[] seeded = ["MailChimp", "Segment", "Inspectlet", "Intercom", "ChargeBee", "Amazon Web Services", "WhosOff", "Workable",
            "Zapier", "Pushcrew", "Periscope", "Zendesk", "Canny", "HubSpot", "Hetzner Online"];
        Assert.Equal(seeded.Order(), names.Order());
        Assert.All(list.EnumerateArray(), s =>
        {
            Assert.NotEmpty(s.GetProperty("countries").EnumerateArray());
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("transferBasis").GetString()));
        });
        var hetzner = list.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Hetzner Online");
        Assert.Equal("DE: EEA, no transfer", hetzner.GetProperty("transferBasis").GetString());

        // a proposal shows up in the list and on the page as announced
        await app.ProposeAsync(SubProcessorFixture.Proposal("Brand New Vendor", "SE"));
        var page = await app.Anonymous().GetStringAsync("/subprocessors");
        foreach (var name in seeded.Append("Brand New Vendor")) Assert.Contains(name, page);
        Assert.Contains("announced, effective", page);
    }
}
