using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Steward.Http;

namespace Steward.Records;

public static class RecordEndpoints
{
    public static RouteGroupBuilder MapRecords(this RouteGroupBuilder processor)
    {
        var records = processor.MapGroup("/records").WithTags("Records of processing");
        records.MapGet("/{kind:regex(^(processor|controller)$)}", async (string kind, string? format, RecordsOfProcessing records, CancellationToken ct) =>
            {
                var current = await records.CurrentAsync(kind, ct);
                return Print(current, format) ?? TypedResults.Ok(current);
            })
            .WithName("GetRecordOfProcessing").WithSummary("The current record (processor: Art. 30(2); controller: Art. 30(1)), generated from live data; ?format=html to print, ?format=pdf for the PDF");
        records.MapGet("/{kind:regex(^(processor|controller)$)}/versions", async (string kind, RecordsOfProcessing records, CancellationToken ct) =>
                TypedResults.Ok(await records.HistoryAsync(kind, ct)))
            .WithName("RecordVersions").WithSummary("Every version of the record");
        records.MapGet("/{kind:regex(^(processor|controller)$)}/versions/{version:int}", async (string kind, int version, string? format, RecordsOfProcessing records, CancellationToken ct) =>
            {
                var found = await records.VersionAsync(kind, version, ct);
                return (found.IsSuccess ? Print(found.Value!, format) : null) ?? found.ToHttp(TypedResults.Ok);
            })
            .WithName("RecordVersion").WithSummary("One earlier version of the record");
        return processor;
    }

    /// <summary>The printable forms of a version: an HTML page or a PDF; null for JSON.</summary>
    private static IResult? Print(RecordsOfProcessing.Versioned v, string? format) => format switch
    {
        "html" => Results.Content(RecordsOfProcessing.Html(v), "text/html; charset=utf-8"),
        "pdf" => TypedResults.File(RecordPdf.Render(v), "application/pdf", $"record-of-processing-{v.Kind}-v{v.Version}.pdf"),
        _ => null,
    };

    public static RouteGroupBuilder MapClientRecords(this RouteGroupBuilder client)
    {
        client.MapGet("/records-of-processing", async (Guid clientId, RecordsOfProcessing records, CancellationToken ct) =>
                TypedResults.Ok(await records.ProcessorAsync(clientId, ct)))
            .WithTags("Records of processing").WithName("ClientRecordOfProcessing").WithSummary("The processor's record as it concerns this client");
        client.MapGet("/dpia-package", async (Guid clientId, ClientReports reports, CancellationToken ct) => TypedResults.Ok(await reports.DpiaAsync(clientId, ct)))
            .WithTags("Records of processing").WithName("DpiaPackage").WithSummary("What the client needs for its DPIA, from live data (P-34)");
        client.MapGet("/measures-report", async (Guid clientId, ClientReports reports, CancellationToken ct) => TypedResults.Ok(await reports.MeasuresAsync(clientId, ct)))
            .WithTags("Records of processing").WithName("MeasuresReport").WithSummary("The measures taken to meet the DPA: TOMs, sub-processors, audits, open findings (P-31)");
        client.MapGet("/data-flows", async (Guid clientId, DataFlows flows, CancellationToken ct) => TypedResults.Ok(await flows.HandleAsync(clientId, ct)))
            .WithTags("Records of processing").WithName("DataFlows").WithSummary("Every destination of this client's data, each tied to the purpose and instruction that allow it (P-30)");
        client.MapGet("/data-inventory", async (Guid clientId, DataInventory inventory, CancellationToken ct) => TypedResults.Ok(await inventory.HandleAsync(clientId, ct)))
            .WithTags("Records of processing").WithName("DataInventory").WithSummary("The client's data inventory from the live schema: its account data and the data it controls, with its reviews (P-49)");
        client.MapPost("/data-inventory/reviews", async (Guid clientId, DataInventory.Request request, DataInventory inventory, CancellationToken ct) =>
                (await inventory.ReviewAsync(clientId, request, ct)).ToHttp(r => TypedResults.Created($"/v1/clients/{clientId}/data-inventory", r)))
            .WithTags("Records of processing").WithName("ReviewDataInventory").WithSummary("Confirm the data inventory or correct items of it; kept with who and when (P-49)");
        return client;
    }
}
