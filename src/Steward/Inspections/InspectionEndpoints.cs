using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Inspections;

public static class InspectionEndpoints
{
    public static RouteGroupBuilder MapClientInspections(this RouteGroupBuilder client)
    {
        var audits = client.MapGroup("/inspections").WithTags("Audits");
        audits.MapPost("/", async (Guid clientId, RequestInspection.Request request, RequestInspection ask, CancellationToken ct) =>
                (await ask.HandleAsync(clientId, request, ct)).ToHttp(i => TypedResults.Created($"/v1/clients/{clientId}/inspections/{i.Id}", i)))
            .WithName("RequestInspection").WithSummary("Ask for an audit of the processor for a period (P-45, G-19)");
        audits.MapGet("/", async (StewardDb db, CancellationToken ct) => TypedResults.Ok(await db.Set<Inspection>().AsNoTracking().OrderBy(i => i.RequestedAt).ToListAsync(ct)))
            .WithName("ListInspections").WithSummary("This client's audit requests");
        audits.MapGet("/{inspectionId:guid}/evidence", async (Guid clientId, Guid inspectionId, EvidencePackage package, CancellationToken ct) =>
                (await package.HandleAsync(clientId, inspectionId, ct)).ToHttp(zip => TypedResults.File(zip, "application/zip", $"evidence-{inspectionId}.zip")))
            .WithName("EvidencePackage").WithSummary("The evidence package for the audit: a zip with a manifest of checksums");
        return client;
    }

    public static RouteGroupBuilder MapProcessorInspections(this RouteGroupBuilder processor)
    {
        processor.MapGet("/clients/{clientId:guid}/inspections/{inspectionId:guid}/evidence", async (Guid clientId, Guid inspectionId, EvidencePackage package, CancellationToken ct) =>
                (await package.HandleAsync(clientId, inspectionId, ct)).ToHttp(zip => TypedResults.File(zip, "application/zip", $"evidence-{inspectionId}.zip")))
            .WithTags("Audits").WithName("ProcessorEvidencePackage").WithSummary("The evidence package, for the processor's staff");
        return processor;
    }
}
