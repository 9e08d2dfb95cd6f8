using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.OpenDsr;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.OpenDsr;

public sealed class OpenDsrTests
{
    private const string Domain = "steward.test";

    private static Task<StewardApp> StartAsync(Engine engine) => StewardApp.StartAsync(engine, s =>
    {
        s["Steward:OpenDsr:ProcessorDomain"] = Domain;
        s["Steward:OpenDsr:PublicBaseUrl"] = "https://steward.test";
        s["Steward:OpenDsr:AllowInsecureCallbacks"] = "true"; // the receiver is on loopback, over plain HTTP
    });

    private static string Body(string id, string type = "erasure", string identities = """[{"identity_type":"email","identity_value":"Jane.Doe@Example.com","identity_format":"raw"}]""",
        string? callbacks = null, string regulation = "\"regulation\": \"gdpr\",", string submitted = "2026-11-01T10:00:00Z") =>
        $$"""
        { {{regulation}} "subject_request_id":"{{id}}",   "subject_request_type" : "{{type}}",
          "submitted_time":"{{submitted}}", "subject_identities":{{identities}},
          "status_callback_urls": {{callbacks ?? "[]"}}, "extensions": {"{{Domain}}": {"note": "caf\u00e9 ☕"} } }
        """;

    private static string NewId() => Guid.NewGuid().ToString(); // lowercase v4

    private sealed record Answer(HttpStatusCode Status, byte[] Body, string? Signature, string? Domain, JsonElement Json);

    private static async Task<Answer> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null, string header = "X-OpenDSR")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new Answer(response.StatusCode, bytes, response.Headers.TryGetValues(header + "-Signature", out var s) ? s.Single() : null,
            response.Headers.TryGetValues(header + "-Processor-Domain", out var d) ? d.Single() : null,
            bytes.Length == 0 ? default : JsonDocument.Parse(bytes).RootElement.Clone());
    }

    /// <summary>Verification as a controller does it: the certificate from discovery, its public key, the exact bytes.</summary>
    private static async Task<bool> VerifiesAsync(StewardApp app, byte[] body, string? signature)
    {
        var discovery = await SendAsync(app.Anonymous(), HttpMethod.Get, "/v2/discovery");
        var certificateUrl = new Uri(discovery.Json.GetProperty("processor_certificate").GetString()!).PathAndQuery;
        using var certificate = X509Certificate2.CreateFromPem(await app.Anonymous().GetStringAsync(certificateUrl));
        using var rsa = certificate.GetRSAPublicKey()!;
        return signature is not null && rsa.VerifyData(body, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static async Task<int> ProcessAsync(StewardApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProcessOpenDsrRequests>().HandleAsync(20, default);
    }

    private static async Task<DeliverOpenDsrCallbacks.Outcome> DeliverAsync(StewardApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DeliverOpenDsrCallbacks>().HandleAsync(50, default);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task OpenDSR_discovery_and_every_answer_are_signed_over_their_exact_bytes_and_verify_with_the_certificate_alone(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();

        var discovery = await SendAsync(app.Anonymous(), HttpMethod.Get, "/v2/discovery");
        Assert.Equal(HttpStatusCode.OK, discovery.Status);
        Assert.Equal(Domain, discovery.Domain);
        Assert.True(await VerifiesAsync(app, discovery.Body, discovery.Signature));
        Assert.Equal(["access", "portability", "erasure"], discovery.Json.GetProperty("supported_subject_request_types").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains(discovery.Json.GetProperty("supported_identities").EnumerateArray(),
            i => i.GetProperty("identity_type").GetString() == "email" && i.GetProperty("identity_format").GetString() == "sha256");
        Assert.EndsWith("/v2/certificate", discovery.Json.GetProperty("processor_certificate").GetString(), StringComparison.Ordinal);

        var id = NewId();
        var sent = Body(id);
        var created = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", sent);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(Domain, created.Domain);
        Assert.True(await VerifiesAsync(app, created.Body, created.Signature));
        var tampered = (byte[])created.Body.Clone();
        tampered[^2] ^= 1;
        Assert.False(await VerifiesAsync(app, tampered, created.Signature));
        Assert.Equal(Encoding.UTF8.GetBytes(sent), Convert.FromBase64String(created.Json.GetProperty("encoded_request").GetString()!)); // exact bytes
        Assert.Equal(tenant.ClientId.ToString(), created.Json.GetProperty("controller_id").GetString());
        Assert.Equal(id, created.Json.GetProperty("subject_request_id").GetString());
        Assert.Equal("2026-11-02T09:00:00Z", created.Json.GetProperty("received_time").GetString());
        Assert.Equal("2026-12-01T23:59:59Z", created.Json.GetProperty("expected_completion_time").GetString()); // one month from the subject's request

        var status = await SendAsync(tenant.Http, HttpMethod.Get, $"/v2/requests/{id}");
        Assert.Equal(("pending", "2.0"), (status.Json.GetProperty("request_status").GetString(), status.Json.GetProperty("api_version").GetString()));
        Assert.True(await VerifiesAsync(app, status.Body, status.Signature));

        // the OpenGDPR v1 names, from the same handler: no regulation needed, X-OpenGDPR-* headers
        var v1 = await SendAsync(tenant.Http, HttpMethod.Post, "/v1/opengdpr_requests", Body(NewId(), type: "access", regulation: "",
            identities: """[{"identity_type":"email","identity_value":"bob@example.com","identity_format":"raw"}]"""), header: "X-OpenGDPR");
        Assert.Equal(HttpStatusCode.Created, v1.Status);
        Assert.Equal(Domain, v1.Domain);
        Assert.True(await VerifiesAsync(app, v1.Body, v1.Signature));
        var v1Discovery = await SendAsync(app.Anonymous(), HttpMethod.Get, "/v1/discovery", header: "X-OpenGDPR");
        Assert.Equal("0.1", v1Discovery.Json.GetProperty("api_version").GetString());

        // the API key decides whose request it is: none is 401, another client's finds nothing
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app.Anonymous(), HttpMethod.Post, "/v2/requests", Body(NewId()))).Status);
        // a body past the server's own cap (1 MiB) is refused as OpenDSR refuses any body over 64 KiB: its signed error
        var huge = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", "{\"a\":\"" + new string('x', 2_000_000) + "\"}");
        Assert.Equal((HttpStatusCode.BadRequest, 400), (huge.Status, huge.Json.GetProperty("error").GetProperty("code").GetInt32()));
        Assert.True(await VerifiesAsync(app, huge.Body, huge.Signature));
        // JSON may escape a lone surrogate, which is no text: OpenDSR's signed 400, whichever field holds it
        foreach (var odd in new[] { Body(NewId(), regulation: "\"regulation\": \"\\ud800x\","), Body("\\ud800x"), Body(NewId(), type: "\\udc00") })
        {
            var refused = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", odd);
            Assert.Equal((HttpStatusCode.BadRequest, 400), (refused.Status, refused.Json.GetProperty("error").GetProperty("code").GetInt32()));
            Assert.True(await VerifiesAsync(app, refused.Body, refused.Signature));
        }
        var other = await app.SignUpAsync();
        var hidden = await SendAsync(other.Http, HttpMethod.Get, $"/v2/requests/{id}");
        Assert.Equal((HttpStatusCode.NotFound, 404), (hidden.Status, hidden.Json.GetProperty("error").GetProperty("code").GetInt32()));

        // the request is a subject request of the client's, verified by the controller, and every call is in the audit trail
        var request = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/requests?state=open");
        Assert.Contains(request.EnumerateArray(), r => r.GetProperty("source").GetString() == "opendsr" && r.GetProperty("status").GetString() == "verified"
            && r.GetProperty("emails")[0].GetString() == "jane.doe@example.com");
        var actions = await app.WithDbAsync((db, _) => db.AuditEvents.AsNoTracking().Select(e => e.Action).ToListAsync());
        Assert.Contains("SubmitOpenDsrRequestV2", actions);
        Assert.Contains("SubmitOpenDsrRequest", actions);
        Assert.Contains("GetOpenDsrRequestV2", actions);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task OpenDSR_subject_request_id_is_the_idempotency_key_and_the_same_subject_and_type_in_progress_is_409(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = NewId();
        var first = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(id));
        Assert.Equal(HttpStatusCode.Created, first.Status);

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var replay = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(id));
        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.Equal(first.Body, replay.Body); // the original answer, byte for byte
        Assert.Equal(first.Signature, replay.Signature);
        Assert.Equal(1, await app.WithDbAsync((db, _) => db.SubjectRequests.CountAsync(), tenant.ClientId));

        var changed = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(id, submitted: "2026-11-01T11:00:00Z"));
        Assert.Equal(HttpStatusCode.BadRequest, changed.Status);
        var error = changed.Json.GetProperty("error");
        Assert.Equal((400, "DuplicateSubjectRequestId"), (error.GetProperty("code").GetInt32(), error.GetProperty("errors")[0].GetProperty("reason").GetString()));
        Assert.True(await VerifiesAsync(app, changed.Body, changed.Signature));

        var again = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(NewId(),
            identities: """[{"identity_type":"email","identity_value":"jane.doe@example.com","identity_format":"raw"}]"""));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal((409, "RequestInProgress"), (again.Json.GetProperty("error").GetProperty("code").GetInt32(),
            again.Json.GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(NewId(), type: "access"))).Status); // another right

        // checks, each a 400 in the protocol's error shape, none repeating an identity
        foreach (var (body, reason) in new[]
        {
            (Body(NewId(), regulation: ""), "MissingField"),
            (Body(NewId().ToUpperInvariant()), "InvalidSubjectRequestId"),
            (Body("6f1c3a9e-1d2b-1c3d-8e4f-5a6b7c8d9e0f"), "InvalidSubjectRequestId"),
            (Body(NewId(), type: "rectification"), "UnsupportedRequestType"),
            (Body(NewId(), submitted: "yesterday"), "InvalidSubmittedTime"),
            (Body(NewId(), identities: """[{"identity_type":"email","identity_value":"secret.person@example.com","identity_format":"md5"}]"""), "UnsupportedIdentity"),
            (Body(NewId(), identities: """[{"identity_type":"email","identity_value":"secret.person-not-an-email","identity_format":"raw"}]"""), "InvalidIdentity"),
            (Body(NewId(), callbacks: """["file:///etc/passwd"]"""), "InvalidCallbackUrl"),
            ("{not json", "InvalidJson"),
        })
        {
            var refused = await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", body);
            Assert.True(refused.Status == HttpStatusCode.BadRequest, reason);
            Assert.Equal(reason, refused.Json.GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString());
            Assert.DoesNotContain("secret.person", Encoding.UTF8.GetString(refused.Body), StringComparison.Ordinal);
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task OpenDSR_a_request_is_cancelled_only_while_pending_and_every_callback_url_hears_it_with_retries_and_backoff(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        using var flaky = CallbackReceiver.Start(failFirst: 2);
        using var steady = CallbackReceiver.Start();
        var id = NewId();
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(id, callbacks: $"""["{flaky.Url}","{steady.Url}"]"""))).Status);

        var cancelled = await SendAsync(tenant.Http, HttpMethod.Delete, $"/v2/requests/{id}");
        Assert.Equal(HttpStatusCode.Accepted, cancelled.Status);
        Assert.True(await VerifiesAsync(app, cancelled.Body, cancelled.Signature));
        Assert.Equal((tenant.ClientId.ToString(), id), (cancelled.Json.GetProperty("controller_id").GetString(), cancelled.Json.GetProperty("subject_request_id").GetString()));
        Assert.Equal("cancelled", (await SendAsync(tenant.Http, HttpMethod.Get, $"/v2/requests/{id}")).Json.GetProperty("request_status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(tenant.Http, HttpMethod.Delete, $"/v2/requests/{id}")).Status);

        Assert.Equal(new DeliverOpenDsrCallbacks.Outcome(1, 1, 0), await DeliverAsync(app));  // the steady one at once; the flaky one answers 500
        Assert.Equal(new DeliverOpenDsrCallbacks.Outcome(0, 0, 0), await DeliverAsync(app));  // not yet due
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new DeliverOpenDsrCallbacks.Outcome(0, 1, 0), await DeliverAsync(app));  // 500 again: the wait doubles
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new DeliverOpenDsrCallbacks.Outcome(0, 0, 0), await DeliverAsync(app));
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new DeliverOpenDsrCallbacks.Outcome(1, 0, 0), await DeliverAsync(app));
        Assert.Equal([500, 500, 200], flaky.Calls.Select(c => c.AnsweredWith));
        foreach (var (receiver, call) in flaky.Calls.Select(c => (flaky, c)).Concat(steady.Calls.Select(c => (steady, c))))
        {
            Assert.True(await VerifiesAsync(app, call.Body, call.Headers["X-OpenDSR-Signature"]));
            Assert.Equal(Domain, call.Headers["X-OpenDSR-Processor-Domain"]);
            var body = JsonDocument.Parse(call.Body).RootElement;
            Assert.Equal(("cancelled", receiver.Url, id), (body.GetProperty("request_status").GetString(), body.GetProperty("status_callback_url").GetString(),
                body.GetProperty("subject_request_id").GetString()));
        }

        // once the processor has started, it is too late to cancel
        var started = NewId();
        await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(started, type: "access"));
        Assert.Equal(1, await ProcessAsync(app));
        var late = await SendAsync(tenant.Http, HttpMethod.Delete, $"/v2/requests/{started}");
        Assert.Equal((HttpStatusCode.Conflict, "NotPending"), (late.Status, late.Json.GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString()));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task OpenDSR_an_access_request_is_carried_out_with_signed_callbacks_a_short_lived_results_url_and_the_export_alert(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s =>
        {
            s["Steward:OpenDsr:ProcessorDomain"] = Domain;
            s["Steward:OpenDsr:AllowInsecureCallbacks"] = "true";
            s["Steward:Alerts:Recipients:0"] = "dpo@processor.example";
        });
        var tenant = await app.SignUpAsync();
        await tenant.CreateContactAsync(ContactTests.Jane);
        using var receiver = CallbackReceiver.Start();
        var id = NewId();
        await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(id, type: "access", callbacks: $"""["{receiver.Url}"]"""));

        Assert.Equal(1, await ProcessAsync(app));
        var status = await SendAsync(tenant.Http, HttpMethod.Get, $"/v2/requests/{id}");
        Assert.Equal("completed", status.Json.GetProperty("request_status").GetString());
        Assert.True(status.Json.GetProperty("results_count").GetInt32() > 0);
        var results = status.Json.GetProperty("results_url").GetString()!;
        Assert.StartsWith("http://localhost:5080/v1/public/exports/", results, StringComparison.Ordinal);

        Assert.Equal(new DeliverOpenDsrCallbacks.Outcome(2, 0, 0), await DeliverAsync(app));
        var calls = receiver.Calls.Select(c => JsonDocument.Parse(c.Body).RootElement).ToList();
        Assert.Equal(["in_progress", "completed"], calls.Select(c => c.GetProperty("request_status").GetString()));
        Assert.Equal(results, calls[1].GetProperty("results_url").GetString());
        Assert.All(receiver.Calls, c => Assert.True(VerifiesAsync(app, c.Body, c.Headers["X-OpenDSR-Signature"]).Result));

        // P-25: the export is alerted; the subject is the controller's to tell, so Steward mails it nothing
        Assert.Contains("Channel: opendsr-results", Assert.Single(await app.ReadAsync("export-alert")).Body, StringComparison.Ordinal);
        Assert.Empty(await app.ReadAsync("request-package"));
        var package = await app.Anonymous().GetAsync(new Uri(results).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, package.StatusCode);
        Assert.Equal("Jane", JsonDocument.Parse(await package.Content.ReadAsStringAsync()).RootElement.GetProperty("subject").GetProperty("firstName").GetString());
        await (await app.Anonymous().GetAsync(new Uri(results).PathAndQuery)).AssertProblemAsync(410); // once

        // a results URL not fetched in time is gone
        var slow = NewId();
        await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(slow, type: "portability"));
        Assert.Equal(1, await ProcessAsync(app));
        var slowResults = (await SendAsync(tenant.Http, HttpMethod.Get, $"/v2/requests/{slow}")).Json.GetProperty("results_url").GetString()!;
        app.Clock.Advance(TimeSpan.FromHours(25));
        await (await app.Anonymous().GetAsync(new Uri(slowResults).PathAndQuery)).AssertProblemAsync(410);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task OpenDSR_an_erasure_finds_the_subject_by_a_sha256_of_the_email_or_by_the_customer_id_and_erases_it(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var jane = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var bob = (await tenant.CreateContactAsync(new { email = "bob@example.com", firstName = "Bob" })).GetProperty("id").GetGuid();
        var hash = Convert.ToHexStringLower(SHA256.HashData("jane.doe@example.com"u8));

        var byHash = NewId();
        await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(byHash,
            identities: $$"""[{"identity_type":"email","identity_value":"{{hash.ToUpperInvariant()}}","identity_format":"sha256"}]"""));
        var byCustomer = NewId();
        await SendAsync(tenant.Http, HttpMethod.Post, "/v1/opengdpr_requests", Body(byCustomer, regulation: "",
            identities: $$"""[{"identity_type":"controller_customer_id","identity_value":"{{bob}}","identity_format":"raw"}]"""), header: "X-OpenGDPR");
        var nobody = NewId();
        await SendAsync(tenant.Http, HttpMethod.Post, "/v2/requests", Body(nobody,
            identities: $$"""[{"identity_type":"email","identity_value":"{{new string('a', 64)}}","identity_format":"sha256"}]"""));

        Assert.Equal(3, await ProcessAsync(app));
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{jane}")).AssertProblemAsync(404);
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{bob}")).AssertProblemAsync(404);
        foreach (var (id, count, header) in new[] { (byHash, 1, "X-OpenDSR"), (byCustomer, 1, "X-OpenGDPR"), (nobody, 0, "X-OpenDSR") })
        {
            var path = header == "X-OpenGDPR" ? $"/v1/opengdpr_requests/{id}" : $"/v2/requests/{id}";
            var status = await SendAsync(tenant.Http, HttpMethod.Get, path, header: header);
            Assert.Equal(("completed", count), (status.Json.GetProperty("request_status").GetString(), status.Json.GetProperty("results_count").GetInt32()));
            Assert.True(await VerifiesAsync(app, status.Body, status.Signature));
        }
        var certificates = await app.WithDbAsync((db, _) => db.SubjectRequests.AsNoTracking().Select(r => r.Certificate).ToListAsync(), tenant.ClientId);
        Assert.Equal(2, certificates.Count(c => c!.Contains("\"storesCleared\":[{", StringComparison.Ordinal)));
    }
}
