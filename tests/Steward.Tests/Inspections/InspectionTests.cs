using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Inspections;

public sealed class InspectionTests
{
    private static object Routine(StewardApp app, string kind = "routine") => new
    {
        kind,
        auditorFirm = "Independent Audit ApS",
        ndaReference = "NDA-2026-7",
        allegation = kind == "allegation" ? "staff exported our contacts on 1 Nov" : null,
        from = app.Clock.GetUtcNow().AddDays(-30),
        to = app.Clock.GetUtcNow(),
    };

    [Theory, ClassData(typeof(Engines))]
    public async Task P45_a_second_routine_audit_within_12_months_is_refused_unless_an_allegation_is_recorded_G19_no_cap_per_terms(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var personizely = await app.SignUpAsync();
        var genieBelt = await app.SignUpAsync();
        await (await app.DpoAsync()).PutAsJsonAsync($"/v1/processor/clients/{genieBelt.ClientId}/terms", new { auditIntervalMonths = 0 });

        var missing = await (await personizely.Http.PostAsJsonAsync(personizely.Base + "/inspections", new { kind = "routine" })).AssertProblemAsync(400);
        Assert.True(missing.GetProperty("errors").TryGetProperty("ndaReference", out _));
        Assert.Equal(HttpStatusCode.Created, (await personizely.Http.PostAsJsonAsync(personizely.Base + "/inspections", Routine(app))).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(200));
        await (await personizely.Http.PostAsJsonAsync(personizely.Base + "/inspections", Routine(app))).AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.Created, (await personizely.Http.PostAsJsonAsync(personizely.Base + "/inspections", Routine(app, "allegation"))).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(166));
        Assert.Equal(HttpStatusCode.Created, (await personizely.Http.PostAsJsonAsync(personizely.Base + "/inspections", Routine(app))).StatusCode);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await genieBelt.Http.PostAsJsonAsync(genieBelt.Base + "/inspections", Routine(app))).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P45_the_evidence_package_holds_the_periods_logs_and_its_manifest_matches_its_files(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var start = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromDays(1));
        var contact = await tenant.CreateContactAsync(new { email = "in-period@example.com" });
        var breach = await app.RecordBreachAsync(new { detectedAt = app.Clock.GetUtcNow(), awareAt = app.Clock.GetUtcNow(), awareReason = "confirmed", nature = "test incident", clientIds = new[] { tenant.ClientId } });
        app.Clock.Advance(TimeSpan.FromDays(1));
        var request = await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/inspections", new
        {
            kind = "routine",
            auditorFirm = "Audit ApS",
            ndaReference = "NDA-1",
            from = start.AddHours(12),
            to = app.Clock.GetUtcNow(),
        })).JsonAsync();
        var inspectionId = request.GetProperty("id").GetGuid();

        var response = await tenant.Http.GetAsync($"{tenant.Base}/inspections/{inspectionId}/evidence");
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open()).RootElement;
        var listed = manifest.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(zip.Entries.Count - 1, listed.Count);
        foreach (var file in listed)
        {
            using var stream = new MemoryStream();
            await zip.GetEntry(file.GetProperty("name").GetString()!)!.Open().CopyToAsync(stream);
            Assert.Equal(file.GetProperty("bytes").GetInt64(), stream.Length);
            Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(stream.ToArray())));
        }

        string Read(string name) => new StreamReader(zip.GetEntry(name)!.Open()).ReadToEnd();
        var events = JsonDocument.Parse(Read("audit-events.json")).RootElement.EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("action").GetString() == "CreateContact" && e.GetProperty("resourceId").GetString() == contact.GetProperty("id").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("action").GetString() == "SignUp"); // before the period
        Assert.Contains(breach.ToString(), Read("breaches.json"), StringComparison.Ordinal);
        Assert.Contains(tenant.ClientId.ToString(), Read("records-of-processing.json"), StringComparison.Ordinal);
        Assert.DoesNotContain("in-period@example.com", string.Join("", zip.Entries.Select(e => Read(e.FullName))), StringComparison.Ordinal);

        // another client cannot fetch it
        var other = await app.SignUpAsync();
        await (await other.Http.GetAsync($"{other.Base}/inspections/{inspectionId}/evidence")).AssertProblemAsync(404);
        await (await tenant.Http.GetAsync($"{tenant.Base}/inspections/{Guid.NewGuid()}/evidence")).AssertProblemAsync(404);
    }
}
