using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Instructions;

public static class InstructionEndpoints
{
    public static RouteGroupBuilder MapClientInstructions(this RouteGroupBuilder client)
    {
        client.MapGet("/purposes", async (Guid clientId, PurposeGate gate, StewardDb db, CancellationToken ct) =>
                TypedResults.Ok(await gate.AllowedAsync(db, clientId, ct)))
            .WithTags("Instructions").WithName("ListPurposes").WithSummary("The purposes this client's instructions allow");
        client.MapPost("/purposes", async (Guid clientId, RegisterPurpose.Request request, RegisterPurpose register, CancellationToken ct) =>
                (await register.HandleAsync(clientId, request, ct)).ToHttp(p => TypedResults.Created($"/v1/clients/{clientId}/purposes", p)))
            .WithTags("Instructions").WithName("RegisterPurpose").WithSummary("Register an extra purpose with its documented instruction");
        client.MapGet("/terms", async (Guid clientId, Terms terms, StewardDb db, CancellationToken ct) =>
                TypedResults.Ok(await terms.ForAsync(db, clientId, ct)))
            .WithTags("Instructions").WithName("GetTerms").WithSummary("The DPA terms in force for this client");
        client.MapGet("/instruction-flags", async (Guid clientId, StewardDb db, CancellationToken ct) =>
                TypedResults.Ok(await db.Set<InstructionFlag>().AsNoTracking().OrderBy(f => f.FlaggedAt).ToListAsync(ct)))
            .WithTags("Instructions").WithName("ClientInstructionFlags").WithSummary("Instructions the processor flagged as possibly unlawful");
        return client;
    }

    public static RouteGroupBuilder MapProcessorInstructions(this RouteGroupBuilder processor)
    {
        var clients = processor.MapGroup("/clients/{clientId:guid}").WithTags("Instructions");
        clients.MapPut("/terms", async (Guid clientId, SetTerms.Request request, SetTerms set, CancellationToken ct) =>
                (await set.HandleAsync(clientId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("SetTerms").WithSummary("Record a client's DPA terms (null = the deployment's default)");
        clients.MapPost("/instruction-flags", async (Guid clientId, FlagInstruction.Request request, FlagInstruction flag, CancellationToken ct) =>
                (await flag.HandleAsync(clientId, request, ct)).ToHttp(f => TypedResults.Created($"/v1/processor/clients/{clientId}/instruction-flags/{f.Id}", f)))
            .WithName("FlagInstruction").WithSummary("Flag an instruction that appears unlawful: the client is told, the purpose held (P-33)");
        clients.MapPost("/instruction-flags/{flagId:guid}/resolve", async (Guid clientId, Guid flagId, FlagInstruction.Resolve request, FlagInstruction flag, CancellationToken ct) =>
                (await flag.ResolveAsync(clientId, flagId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("ResolveInstructionFlag").WithSummary("Resolve a flag: the purpose runs again");
        clients.MapGet("/statistics", async (Guid clientId, ServiceStatistics statistics, CancellationToken ct) =>
                (await statistics.HandleAsync(clientId, ct)).ToHttp(TypedResults.Ok))
            .WithName("ServiceStatistics").WithSummary("The processor's own service statistics for a client, only where its DPA allows (P-29)");
        return processor;
    }
}
