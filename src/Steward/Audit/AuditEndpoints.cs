using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Steward.Http;

namespace Steward.Audit;

public static class AuditEndpoints
{
    /// <summary>The processor's whole audit trail and its chain check, under /v1/processor (the DPO and the CEO).</summary>
    public static RouteGroupBuilder MapProcessorAudit(this RouteGroupBuilder processor)
    {
        processor.MapGet("/audit-events", async (string? actor, string? action, Guid? client, DateTimeOffset? from, DateTimeOffset? to, long? before, int? limit,
                ReadAuditTrail read, CancellationToken ct) =>
                (await read.HandleAsync(new(actor, action, client, from, to, before, limit), ct)).ToHttp(TypedResults.Ok))
            .WithTags("Audit").WithName("ReadAuditTrail").WithSummary("Every kept audit event, newest first, by actor, action, client and period (G-47, P-22)");
        processor.MapPost("/audit-chain/verification", async (VerifyAuditChain verify, CancellationToken ct) => TypedResults.Ok(await verify.HandleAsync(ct)))
            .WithTags("Audit").WithName("VerifyAuditChain").WithSummary("Re-hash the kept chain, as `steward audit verify`: intact, or the first bad event");
        return processor;
    }
}
