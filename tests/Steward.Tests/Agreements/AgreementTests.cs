using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Agreements;
using Steward.Dpo;
using Steward.Notifications;
using Steward.Tests.Breaches;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Agreements;

public sealed class AgreementTests
{
    private const string V1 = "2026-11-01";

    private static Task<StewardApp> StartAsync(Engine engine, Action<Dictionary<string, string?>>? more = null)
    {
        var port = Mailbox.SmtpPort();
        return Compliance.StartAsync(engine, s =>
        {
            s["Steward:Mail:SmtpHost"] = "127.0.0.1";
            s["Steward:Mail:SmtpPort"] = port.ToString(CultureInfo.InvariantCulture);
            s["Steward:Mail:Security"] = "None";
            more?.Invoke(s);
        });
    }

    private static object Version(string version, DateTimeOffset effectiveFrom, bool lawDriven = false) => new
    {
        document = "dpa",
        version,
        title = "Data Processing Agreement",
        body = $"# DPA {version}\n\nThe processor processes personal data only on documented instructions.\n",
        effectiveFrom,
        lawDriven,
        rationale = lawDriven ? "The supervisory authority's new guidance on transfers" : "Clearer audit terms",
    };

    private static async Task<string?> BindingAsync(StewardApp.Tenant tenant, DateTimeOffset on)
    {
        var response = await tenant.Http.GetAsync($"{tenant.Base}/agreements/binding?document=dpa&on={Uri.EscapeDataString(on.ToString("O"))}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("version").GetString();
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P48_G01_G23_a_new_version_is_announced_to_every_client_and_binds_each_as_they_accept_it_or_as_the_law_says(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var t0 = app.Clock.GetUtcNow();
        var a = await app.SignUpAsync();
        var b = await app.SignUpAsync();
        var dpo = await app.DpoAsync();

        // too little notice, a missing rationale, a version that exists: refused, nothing published, nobody told
        await (await dpo.PostAsJsonAsync("/v1/processor/agreements", Version("2.0", t0.AddDays(29)))).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync("/v1/processor/agreements", new { document = "dpa", version = "2.0", title = "DPA", body = "x", effectiveFrom = t0.AddDays(40) })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync("/v1/processor/agreements", Version(V1, t0.AddDays(40)))).AssertProblemAsync(409);
        await (await a.Http.PostAsJsonAsync("/v1/processor/agreements", Version("2.0", t0.AddDays(40)))).AssertProblemAsync(401);
        Assert.Equal(0, await app.OutboxAsync(PublishAgreement.NoticeKind));

        var published = await dpo.PostAsJsonAsync("/v1/processor/agreements", Version("2.0", t0.AddDays(31)));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var body = await published.JsonAsync();
        Assert.Equal(2, body.GetProperty("clientsNotified").GetInt32());
        Assert.Equal(1, await app.OutboxAsync(PublishAgreement.NoticeKind, a.ClientId));
        Assert.Equal(1, await app.OutboxAsync(PublishAgreement.NoticeKind, b.ClientId));
        // G-23: the change flows down to every active sub-processor as a task
        var active = await app.WithDbAsync((db, _) => db.SubProcessors.CountAsync(s => s.Status == "active"));
        Assert.Equal(active, body.GetProperty("flowDownTasks").GetInt32());
        Assert.Equal(active, await app.WithDbAsync((db, _) => db.Set<Duty>().CountAsync(d => d.Kind == PublishAgreement.FlowDownKind)));
        // G-23: in writing, by whom
        var recorded = await app.WithDbAsync((db, _) => db.Agreements.SingleAsync(x => x.Document == "dpa" && x.Version == "2.0"));
        Assert.Equal((await app.DpoUserAsync()).Id.ToString(), recorded.PublishedBy);

        // receipt: the notice's delivery
        await app.RunAsync(sp => sp.GetRequiredService<DeliverNotifications>().HandleAsync(50, default));
        var listed = await a.Http.GetFromJsonAsync<JsonElement>(a.Base + "/agreements");
        var v2 = listed.EnumerateArray().Single(d => d.GetProperty("document").GetString() == "dpa").GetProperty("versions").EnumerateArray()
            .Single(v => v.GetProperty("version").GetString() == "2.0");
        Assert.Equal(t0, v2.GetProperty("noticeSentAt").GetDateTimeOffset());
        Assert.Equal(t0, v2.GetProperty("noticeReceivedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, v2.GetProperty("acceptedAt").ValueKind);

        // A accepts early (binds from the effective date); B accepts late
        app.Clock.Advance(TimeSpan.FromDays(5));
        await (await a.Http.PostAsJsonAsync(a.Base + "/agreements/dpa/2.0/accept", new { accepted = false })).AssertProblemAsync(400);
        await (await a.Http.PostAsJsonAsync(a.Base + "/agreements/dpa/9.9/accept", new { accepted = true })).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.Created, (await a.Http.PostAsJsonAsync(a.Base + "/agreements/dpa/2.0/accept", new { accepted = true })).StatusCode);
        await (await a.Http.PostAsJsonAsync(a.Base + "/agreements/dpa/2.0/accept", new { accepted = true })).AssertProblemAsync(409);
        app.Clock.Advance(TimeSpan.FromDays(40));
        Assert.Equal(HttpStatusCode.Created, (await b.Http.PostAsJsonAsync(b.Base + "/agreements/dpa/2.0/accept", new { accepted = true })).StatusCode);

        Assert.Null(await BindingAsync(a, t0.AddSeconds(-1))); // before it signed up
        Assert.Equal(V1, await BindingAsync(a, t0));
        Assert.Equal(V1, await BindingAsync(a, t0.AddDays(31).AddSeconds(-1)));
        Assert.Equal("2.0", await BindingAsync(a, t0.AddDays(31)));
        Assert.Equal(V1, await BindingAsync(b, t0.AddDays(44)));
        Assert.Equal("2.0", await BindingAsync(b, t0.AddDays(45)));

        // G-01: a law-driven change needs 30 days' notice, then binds every notified client without acceptance
        var now = app.Clock.GetUtcNow();
        dpo = await app.DpoAsync();
        await (await dpo.PostAsJsonAsync("/v1/processor/agreements", Version("3.0", now.AddDays(29), lawDriven: true))).AssertProblemAsync(400);
        Assert.Equal(HttpStatusCode.Created, (await (await app.DpoAsync()).PostAsJsonAsync("/v1/processor/agreements", Version("3.0", now.AddDays(30), lawDriven: true))).StatusCode);
        Assert.Equal("2.0", await BindingAsync(b, now.AddDays(30).AddSeconds(-1)));
        Assert.Equal("3.0", await BindingAsync(b, now.AddDays(30)));
        Assert.Equal("3.0", await BindingAsync(a, now.AddDays(60)));

        // P-46: every client has one DPA in force; the client downloads the version it accepted with its record
        Assert.Empty(await (await app.DpoAsync()).GetFromJsonAsync<JsonElement[]>("/v1/processor/agreements/unbound?document=dpa") ?? []);
        var download = await a.Http.GetAsync(a.Base + "/agreements/dpa/2.0/download");
        Assert.Equal("text/markdown", download.Content.Headers.ContentType!.MediaType);
        var text = await download.Content.ReadAsStringAsync();
        Assert.Contains("api by client " + a.ClientId, text, StringComparison.Ordinal);
        Assert.Contains("# DPA 2.0", text, StringComparison.Ordinal);
        await (await b.Http.GetAsync(a.Base + "/agreements/dpa/2.0/download")).AssertProblemAsync(404);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G50_P46_under_a_signed_dpa_policy_a_client_becomes_active_only_with_a_signed_record(Engine engine)
    {
        await using var app = await Compliance.StartAsync(engine, s => s["Steward:Agreements:Formation"] = "signed");
        var tenant = await app.SignUpAsync();
        async Task<string> StatusAsync() => (await tenant.Http.GetFromJsonAsync<JsonElement>(tenant.Base)).GetProperty("status").GetString()!;
        Assert.Equal(AgreementOptions.AwaitingSignature, await StatusAsync());
        Assert.Null(await BindingAsync(tenant, app.Clock.GetUtcNow())); // the click-through at sign-up does not form a signed DPA
        await (await tenant.Http.PostAsJsonAsync(tenant.Base + "/agreements/dpa/" + V1 + "/accept", new { accepted = true })).AssertProblemAsync(409);
        Assert.Equal([tenant.ClientId], await (await app.DpoAsync()).GetFromJsonAsync<Guid[]>("/v1/processor/agreements/unbound?document=dpa") ?? []);

        var url = $"/v1/processor/clients/{tenant.ClientId}/signatures";
        app.Clock.Advance(TimeSpan.FromDays(3));
        var signedAt = app.Clock.GetUtcNow().AddHours(-2);
        var dpo = await app.DpoAsync();
        await (await dpo.PostAsJsonAsync(url, new { document = "dpa", version = V1, method = "signed-copy", signedCopyBase64 = "not base64!", signedAt })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync(url, new { document = "dpa", version = V1, method = "e-signature", signedAt })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync(url, new { document = "dpa", version = V1, method = "signed-copy", signedCopyBase64 = "JVBERi0=", signedAt = app.Clock.GetUtcNow().AddDays(1) })).AssertProblemAsync(400);
        await (await dpo.PostAsJsonAsync(url, new { document = "dpa", version = "0.0", method = "e-signature", eSignatureEvidence = "envelope 1", signedAt })).AssertProblemAsync(404);
        await (await tenant.Http.PostAsJsonAsync(url, new { document = "dpa", version = V1, method = "e-signature", eSignatureEvidence = "envelope 1", signedAt })).AssertProblemAsync(401);
        Assert.Equal(AgreementOptions.AwaitingSignature, await StatusAsync());

        var copy = "%PDF-1.7 signed by both parties"u8.ToArray();
        var recorded = await dpo.PostAsJsonAsync(url, new { document = "dpa", version = V1, method = "signed-copy", signedCopyBase64 = Convert.ToBase64String(copy), signedAt });
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var evidence = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(copy));
        Assert.Equal(evidence, (await recorded.JsonAsync()).GetProperty("evidence").GetString());
        Assert.Equal("active", await StatusAsync());
        Assert.Null(await BindingAsync(tenant, signedAt.AddSeconds(-1)));
        Assert.Equal(V1, await BindingAsync(tenant, signedAt)); // from the last signature's date
        Assert.Contains(evidence, await tenant.Http.GetStringAsync(tenant.Base + "/agreements/dpa/" + V1 + "/download"), StringComparison.Ordinal);
        Assert.Empty(await (await app.DpoAsync()).GetFromJsonAsync<Guid[]>("/v1/processor/agreements/unbound?document=dpa") ?? []);
    }
}
