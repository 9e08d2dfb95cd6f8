using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Agreements;

public static class AgreementEndpoints
{
    public sealed record AgreementSummary(string Document, string Version, string Title, DateTimeOffset EffectiveFrom, string Sha256, string Url);
    public sealed record AgreementText(string Document, string Version, string Title, DateTimeOffset EffectiveFrom, string Sha256, string Body);

    public static RouteGroupBuilder MapAgreements(this RouteGroupBuilder v1)
    {
        var agreements = v1.MapGroup("/agreements").WithTags("Agreements").AllowAnonymous();
        agreements.MapGet("/", async (AgreementCatalog catalog, CancellationToken ct) =>
                (await catalog.CurrentAsync(ct)).Select(a => new AgreementSummary(a.Document, a.Version, a.Title, a.EffectiveFrom,
                    a.BodySha256, $"/v1/agreements/{a.Document}/{Uri.EscapeDataString(a.Version)}")))
            .WithName("ListAgreements").WithSummary("The legal documents in force, with their current versions");
        agreements.MapGet("/{document}/{version}", async Task<IResult> (string document, string version, StewardDb db, CancellationToken ct) =>
                await db.Agreements.AsNoTracking().SingleOrDefaultAsync(a => a.Document == document && a.Version == version, ct) is { } a
                    ? TypedResults.Ok(new AgreementText(a.Document, a.Version, a.Title, a.EffectiveFrom, a.BodySha256, a.Body))
                    : Errors.NotFound("document version").ToProblem())
            .WithName("GetAgreement").WithSummary("One version of a legal document, with its full text");
        return v1;
    }

    /// <summary>A client's agreements over time: versions, notices and their receipt, acceptances, what binds when.</summary>
    public static RouteGroupBuilder MapClientAgreements(this RouteGroupBuilder client)
    {
        var agreements = client.MapGroup("/agreements").WithTags("Agreements");
        agreements.MapGet("/", async (Guid clientId, AgreementBindings bindings, TimeProvider clock, CancellationToken ct) =>
                TypedResults.Ok(await bindings.ForClientAsync(clientId, clock.GetUtcNow(), ct)))
            .WithName("ClientAgreements").WithSummary("Each document's versions with notice, receipt and acceptance, and the version binding now");
        agreements.MapGet("/binding", async Task<IResult> (Guid clientId, string? document, DateTimeOffset? on, AgreementBindings bindings, TimeProvider clock, CancellationToken ct) =>
                string.IsNullOrWhiteSpace(document) ? Errors.Invalid("document", "Name the document (dpa, gdpr, privacy-policy).").ToProblem()
                : await bindings.OnAsync(clientId, document, on ?? clock.GetUtcNow(), ct) is { } binding ? TypedResults.Ok(binding)
                : Errors.NotFound("binding version of this document on that date").ToProblem())
            .WithName("BindingAgreement").WithSummary("The version of a document that binds this client on a date (?document=dpa&on=…)");
        agreements.MapPost("/{document}/{version}/accept", async (Guid clientId, string document, string version, AcceptAgreement.Request request,
                AcceptAgreement accept, HttpContext http, CancellationToken ct) =>
                (await accept.HandleAsync(clientId, document, version, request, http.Connection.RemoteIpAddress?.ToString(), UserAgent(http), ct))
                .ToHttp(r => TypedResults.Created($"/v1/clients/{clientId}/agreements", r)))
            .WithName("AcceptAgreement").WithSummary("Accept a published version (accepted: true)");
        agreements.MapGet("/{document}/{version}/download", async Task<IResult> (Guid clientId, string document, string version, StewardDb db, CancellationToken ct) =>
            {
                var a = await db.Agreements.AsNoTracking().SingleOrDefaultAsync(a => a.Document == document && a.Version == version, ct);
                if (a is null) return Errors.NotFound("document version").ToProblem();
                var records = await db.Acceptances.AsNoTracking().Where(x => x.ClientId == clientId && x.AgreementId == a.Id).OrderBy(x => x.AcceptedAt).ToListAsync(ct);
                var text = new System.Text.StringBuilder()
                    .Append($"<!-- {a.Document} {a.Version}, effective {a.EffectiveFrom:O}, SHA-256 {a.BodySha256} -->\n");
                foreach (var r in records) text.Append($"<!-- {r.Method} by client {clientId} at {r.AcceptedAt:O}{(r.Evidence is null ? "" : ", evidence " + r.Evidence)} -->\n");
                text.Append('\n').Append(a.Body);
                return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(text.ToString()), "text/markdown; charset=utf-8", $"{a.Document}-{a.Version}.md");
            })
            .WithName("DownloadAgreement").WithSummary("One version's text with this client's acceptance or signature records, as a file");
        return client;
    }

    /// <summary>The authorised persons' side (G-23): new versions in writing, signed records, who is not bound.</summary>
    public static RouteGroupBuilder MapProcessorAgreements(this RouteGroupBuilder processor)
    {
        processor.MapPost("/agreements", async (PublishAgreement.Request request, PublishAgreement publish, CancellationToken ct) =>
                (await publish.HandleAsync(request, ct)).ToHttp(r => TypedResults.Created($"/v1/agreements/{r.Document}/{Uri.EscapeDataString(r.Version)}", r)))
            .WithTags("Agreements").WithName("PublishAgreement").WithSummary("Publish a new version with its effective date and rationale; every client is told");
        processor.MapGet("/agreements/unbound", async (string? document, DateTimeOffset? on, AgreementBindings bindings, TimeProvider clock, CancellationToken ct) =>
                TypedResults.Ok(await bindings.UnboundAsync(document ?? "dpa", on ?? clock.GetUtcNow(), ct)))
            .WithTags("Agreements").WithName("UnboundClients").WithSummary("Clients that no version of a document binds on a date (P-46)");
        processor.MapPost("/clients/{clientId:guid}/signatures", async (Guid clientId, RecordSignature.Request request, RecordSignature record, CancellationToken ct) =>
                (await record.HandleAsync(clientId, request, ct)).ToHttp(r => TypedResults.Created($"/v1/clients/{clientId}/agreements", r)))
            .WithTags("Agreements").WithName("RecordSignature").WithSummary("Record a signed version for a client: signed copy (hash kept) or e-signature evidence (G-50)");
        return processor;
    }

    private static string? UserAgent(HttpContext http)
    {
        var value = http.Request.Headers.UserAgent.ToString();
        return string.IsNullOrEmpty(value) ? null : value.Length > 512 ? value[..512] : value;
    }
}
