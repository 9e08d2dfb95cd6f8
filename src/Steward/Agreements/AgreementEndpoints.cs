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
}
