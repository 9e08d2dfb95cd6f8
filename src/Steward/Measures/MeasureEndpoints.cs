using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Measures;

public static class MeasureEndpoints
{
    public static RouteGroupBuilder MapClientMeasures(this RouteGroupBuilder client)
    {
        client.MapGet("/measures", async (MeasureRegister register, CancellationToken ct) => TypedResults.Ok(await register.CurrentAsync(ct)))
            .WithTags("Measures").WithName("ClientMeasures").WithSummary("The processor's technical and organisational measures with their evidence and review dates");
        client.MapPost("/security-policies", async (Guid clientId, UploadSecurityPolicy.Request request, UploadSecurityPolicy upload, CancellationToken ct) =>
                (await upload.HandleAsync(clientId, request, ct)).ToHttp(p => TypedResults.Created($"/v1/clients/{clientId}/security-policies", p)))
            .WithTags("Measures").WithName("UploadSecurityPolicy").WithSummary("Upload the client's IT security policy or site rules for the processor to review (G-02)");
        client.MapGet("/security-policies", async (StewardDb db, CancellationToken ct) =>
                TypedResults.Ok((await db.Set<ClientSecurityPolicy>().AsNoTracking().OrderBy(p => p.UploadedAt).ToListAsync(ct)).Select(UploadSecurityPolicy.View.Of)))
            .WithTags("Measures").WithName("ClientSecurityPolicies").WithSummary("The client's uploaded policies and the processor's review of each");
        return client;
    }

    public static RouteGroupBuilder MapProcessorMeasures(this RouteGroupBuilder processor)
    {
        var measures = processor.MapGroup("/measures").WithTags("Measures");
        measures.MapGet("/", async (MeasureRegister register, CancellationToken ct) => TypedResults.Ok(await register.CurrentAsync(ct)))
            .WithName("ListMeasures").WithSummary("The register of measures, current versions, overdue reviews flagged");
        measures.MapGet("/{key}/history", async Task<IResult> (string key, MeasureRegister register, CancellationToken ct) =>
                await register.HistoryAsync(key, ct) is { Count: > 0 } history ? TypedResults.Ok(history) : Errors.NotFound("measure").ToProblem())
            .WithName("MeasureHistory").WithSummary("Every version of a measure with who changed it, when and why");
        measures.MapPut("/{key}", async (string key, ReviseMeasure.Request request, ReviseMeasure revise, CancellationToken ct) =>
                (await revise.HandleAsync(key, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("ReviseMeasure").WithSummary("Change or add a measure: a new version with its rationale, announced to every client (P-38)");
        measures.MapPost("/{key}/evidence", async (string key, RecordEvidence.Request request, RecordEvidence record, CancellationToken ct) =>
                (await record.HandleAsync(key, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("RecordMeasureEvidence").WithSummary("Record a test result, document or dated attestation for a measure");
        processor.MapGet("/access-review", async (AccessReview review, CancellationToken ct) => TypedResults.Ok(await review.HandleAsync(ct)))
            .WithTags("Measures").WithName("AccessReview").WithSummary("Every staff account with its status and second factor; active accounts without one are listed (G-35)");
        processor.MapGet("/security-policies", async (StewardDb db, CancellationToken ct) =>
                TypedResults.Ok((await db.Set<ClientSecurityPolicy>().IgnoreQueryFilters().AsNoTracking().OrderBy(p => p.ReviewedAt != null).ThenBy(p => p.ReviewDueAt)
                    .ToListAsync(ct)).Select(p => new { p.ClientId, Policy = UploadSecurityPolicy.View.Of(p) })))
            .WithTags("Measures").WithName("ListSecurityPolicies").WithSummary("Clients' security policies, unreviewed first");
        processor.MapPost("/security-policies/{policyId:guid}/review", async (Guid policyId, ReviewSecurityPolicy.Request request, ReviewSecurityPolicy review, CancellationToken ct) =>
                (await review.HandleAsync(policyId, request, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Measures").WithName("ReviewSecurityPolicy").WithSummary("Record the review of a client's security policy: accepted or issues raised (G-02)");
        return processor;
    }
}
