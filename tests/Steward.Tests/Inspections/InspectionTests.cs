using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;
using Steward.Access;

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

    /// <summary>Opens the package and checks every file against the manifest: its size and SHA-256.</summary>
    private static async Task<Dictionary<string, JsonElement>> OpenPackageAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open()).RootElement;
        var files = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            using var stream = new MemoryStream();
            await zip.GetEntry(file.GetProperty("name").GetString()!)!.Open().CopyToAsync(stream);
            Assert.Equal(file.GetProperty("bytes").GetInt64(), stream.Length);
            Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(stream.ToArray())));
            files[file.GetProperty("name").GetString()!] = JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
        }
        Assert.Equal(zip.Entries.Count - 1, files.Count);
        return files;
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P45_G19_the_evidence_package_holds_grants_with_approvals_staff_sub_processors_measures_breaches_and_destructions_of_the_period(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var support = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        var engineer = await app.AddStaffAsync(ceo, Roles.CustomerSuccess);
        var tenant = await app.SignUpAsync();
        var start = app.Clock.GetUtcNow();

        // in the period: a grant approved by the CEO and the DPO, a destruction, a breach
        app.Clock.Advance(TimeSpan.FromDays(1));
        (ceo, dpo) = (await app.SignInAgainAsync(ceo), await app.SignInAgainAsync(dpo));
        var inside = (await (ceo, dpo).GrantAsync(support, tenant.ClientId, ["read"])).GetProperty("id").GetGuid();
        var contact = (await tenant.CreateContactAsync(new { email = "leaver@example.com" })).GetProperty("id").GetGuid();
        var filed = await (await ceo.Http.PostAsJsonAsync("/v1/destructions", new { clientId = tenant.ClientId, contactIds = new[] { contact }, reason = "Retention period ended (ticket T-7)" })).JsonAsync();
        var destruction = filed.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await ceo.Http.PostAsync($"/v1/destructions/{destruction}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dpo.Http.PostAsync($"/v1/destructions/{destruction}/approve", null)).StatusCode);
        var breach = (await (await dpo.Http.PostAsJsonAsync("/v1/processor/breaches", new
        {
            detectedAt = app.Clock.GetUtcNow(),
            awareAt = app.Clock.GetUtcNow(),
            awareReason = "confirmed",
            nature = "test incident",
            clientIds = new[] { tenant.ClientId }
        })).JsonAsync()).GetProperty("id").GetGuid();
        app.Clock.Advance(TimeSpan.FromDays(1));
        var end = app.Clock.GetUtcNow();

        // after the period: another grant, which the package leaves out
        app.Clock.Advance(TimeSpan.FromHours(2));
        (ceo, dpo) = (await app.SignInAgainAsync(ceo), await app.SignInAgainAsync(dpo));
        var outside = (await (ceo, dpo).GrantAsync(engineer, tenant.ClientId, ["read"])).GetProperty("id").GetGuid();

        var request = await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/inspections",
            new { kind = "routine", auditorFirm = "Audit ApS", ndaReference = "NDA-1", from = start.AddHours(12), to = end })).JsonAsync();
        var files = await OpenPackageAsync(await tenant.Http.GetAsync($"{tenant.Base}/inspections/{request.GetProperty("id").GetGuid()}/evidence"));
        foreach (var part in new[] { "audit-events.json", "access-grants.json", "staff-with-access.json", "sub-processors.json", "security-measures.json",
            "control-catalogue.json", "breaches.json", "destruction-reports.json", "records-of-processing.json" })
            Assert.True(files.ContainsKey(part), part);

        var grants = files["access-grants.json"].EnumerateArray().ToList();
        var granted = Assert.Single(grants, g => g.GetProperty("id").GetGuid() == inside);
        Assert.Equal(ceo.Id, granted.GetProperty("ceoApproval").GetProperty("staffId").GetGuid());
        Assert.Equal(dpo.Id, granted.GetProperty("dpoApproval").GetProperty("staffId").GetGuid());
        Assert.Equal(Roles.CustomerSuccess, granted.GetProperty("staffRole").GetString());
        Assert.DoesNotContain(grants, g => g.GetProperty("id").GetGuid() == outside);

        // staff with access are the live list: both grants are active now
        var staff = files["staff-with-access.json"].GetProperty("staff").EnumerateArray().Select(p => p.GetProperty("staffId").GetGuid()).ToList();
        Assert.Contains(support.Id, staff);
        Assert.Contains(engineer.Id, staff);

        Assert.NotEmpty(files["sub-processors.json"].GetProperty("register").EnumerateArray());
        Assert.Equal(JsonValueKind.Array, files["sub-processors.json"].GetProperty("changes").ValueKind);
        Assert.NotEmpty(files["security-measures.json"].EnumerateArray());
        Assert.Contains(files["breaches.json"].EnumerateArray(), b => b.GetProperty("id").GetGuid() == breach);
        var report = Assert.Single(files["destruction-reports.json"].EnumerateArray());
        Assert.Equal(destruction, report.GetProperty("id").GetGuid());
        Assert.Equal(dpo.Id, report.GetProperty("dpoApproval").GetProperty("staffId").GetGuid());
        Assert.Contains(files["audit-events.json"].EnumerateArray(), e => e.GetProperty("action").GetString() == "CreateContact");
    }
}
