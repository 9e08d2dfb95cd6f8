using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Clients;
using Steward.Data;
using Steward.Http;

namespace Steward.OpenDsr;

public static class OpenDsrEndpoints
{
    public const string Policy = "opendsr-controller";
    private const int MaxBody = 64 * 1024;

    /// <summary>
    /// Both route sets from one handler each: v2 (<c>/v2/discovery</c>, <c>/v2/requests</c>, <c>X-OpenDSR-*</c>) and the
    /// OpenGDPR v1 names (<c>/v1/discovery</c>, <c>/v1/opengdpr_requests</c>, <c>X-OpenGDPR-*</c>). The client's API key,
    /// as a bearer token, authenticates the controller and decides whose request it is. Every answer is signed.
    /// </summary>
    public static IEndpointRouteBuilder MapOpenDsr(this IEndpointRouteBuilder app)
    {
        foreach (var (version, requests) in new[] { (OpenDsrProtocol.Version.V2, "/v2/requests"), (OpenDsrProtocol.Version.V1, "/v1/opengdpr_requests") })
        {
            var tag = version == OpenDsrProtocol.Version.V2 ? "OpenDSR" : "OpenGDPR (v1)";
            var suffix = version.Name.ToUpperInvariant();
            app.MapGet($"/{version.Name}/discovery", async (HttpContext http, OpenDsrSigner signer, CancellationToken ct) =>
                    await SignedAsync(http, signer, version, 200, OpenDsrWire.Bytes(Discovery(http, version)), ct))
                .AllowAnonymous().WithTags(tag).WithName("OpenDsrDiscovery" + suffix)
                .WithSummary("What this processor supports: identities, request types, and where its signing certificate is");
            app.MapPost(requests, async (HttpContext http, SubmitOpenDsrRequest submit, OpenDsrSigner signer, CancellationToken ct) =>
                {
                    var body = await ReadBodyAsync(http.Request, ct);
                    return await ReplyAsync(http, signer, version, body is null
                        ? new OpenDsrError(400, "The body is missing or larger than 64 KiB.", "InvalidBody")
                        : await submit.HandleAsync(Controller(http), version, body, ct), ct);
                })
                .RequireAuthorization(Policy).WithTags(tag).WithName("SubmitOpenDsrRequest" + suffix)
                .WithSummary("A controller sends an access, portability or erasure request (201, signed; subject_request_id is the idempotency key)");
            app.MapGet(requests + "/{subjectRequestId}", async (string subjectRequestId, HttpContext http, ReadOpenDsrRequest read, OpenDsrSigner signer, CancellationToken ct) =>
                {
                    Controller(http);
                    return await ReplyAsync(http, signer, version, await read.StatusAsync(subjectRequestId, ct), ct);
                })
                .RequireAuthorization(Policy).WithTags(tag).WithName("GetOpenDsrRequest" + suffix)
                .WithSummary("The status of a request, with its results URL once an access or portability request is done");
            app.MapDelete(requests + "/{subjectRequestId}", async (string subjectRequestId, HttpContext http, ReadOpenDsrRequest read, OpenDsrSigner signer, CancellationToken ct) =>
                {
                    Controller(http);
                    return await ReplyAsync(http, signer, version, await read.CancelAsync(subjectRequestId, ct), ct);
                })
                .RequireAuthorization(Policy).WithTags(tag).WithName("CancelOpenDsrRequest" + suffix)
                .WithSummary("Cancel a request while it is pending (202)");
        }
        app.MapGet("/v2/certificate", async (OpenDsrSigner signer, CancellationToken ct) =>
                Results.Text(await signer.CertificatePemAsync(ct), "application/x-pem-file"))
            .AllowAnonymous().WithTags("OpenDSR").WithName("GetOpenDsrCertificate")
            .WithSummary("The X.509 certificate whose key signs every OpenDSR response and callback");
        return app;
    }

    /// <summary>A request route, whose body is read here, capped at <see cref="MaxBody"/>, and refused as OpenDSR says.</summary>
    public static bool ReadsItsOwnBody(PathString path) =>
        path.StartsWithSegments("/v2/requests") || path.StartsWithSegments("/v1/opengdpr_requests");

    /// <summary>The controller is the client whose API key called; from here on the unit of work sees that client only.</summary>
    private static Guid Controller(HttpContext http)
    {
        var clientId = Guid.Parse(http.User.FindFirst(ApiKeyAuthentication.ClientClaim)!.Value);
        http.RequestServices.GetRequiredService<StewardDb>().TenantId = clientId;
        return clientId;
    }

    private static JsonObject Discovery(HttpContext http, OpenDsrProtocol.Version version) => new()
    {
        ["api_version"] = version.ApiVersion,
        ["supported_identities"] = new JsonArray([.. OpenDsrProtocol.Identities.Select(i =>
            (JsonNode)new JsonObject { ["identity_type"] = i.Type, ["identity_format"] = i.Format })]),
        ["supported_subject_request_types"] = new JsonArray([.. OpenDsrProtocol.Types.Select(t => JsonValue.Create(t))]),
        ["supported_regulations"] = new JsonArray([.. OpenDsrProtocol.Regulations.Select(t => JsonValue.Create(t))]),
        ["processor_certificate"] = $"{http.Request.Scheme}://{http.Request.Host}/v2/certificate",
    };

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBody) return null;
        }
        return buffer.Length == 0 ? null : buffer.ToArray();
    }

    private static async Task<IResult> ReplyAsync(HttpContext http, OpenDsrSigner signer, OpenDsrProtocol.Version version,
        Result<SubmitOpenDsrRequest.Reply> result, CancellationToken ct)
    {
        if (result.IsSuccess) return await SignedAsync(http, signer, version, result.Value!.Status, result.Value.Body, ct);
        var error = result.Error as OpenDsrError ?? new OpenDsrError(400, result.Error!.Detail, result.Error.Code);
        return await SignedAsync(http, signer, version, error.Status, OpenDsrWire.ErrorBody(error), ct);
    }

    /// <summary>The exact bytes, with their signature and the processor's domain in the route set's header names.</summary>
    private static async Task<IResult> SignedAsync(HttpContext http, OpenDsrSigner signer, OpenDsrProtocol.Version version, int status, byte[] body, CancellationToken ct)
    {
        http.Response.Headers[version.SignatureHeader] = await signer.SignAsync(body, ct);
        http.Response.Headers[version.DomainHeader] = http.RequestServices.GetRequiredService<IOptions<OpenDsrOptions>>().Value.ProcessorDomain;
        return new SignedBody(status, body);
    }

    private sealed class SignedBody(int status, byte[] body) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = body.Length;
            await http.Response.Body.WriteAsync(body);
        }
    }
}
