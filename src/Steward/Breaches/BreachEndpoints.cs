using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Steward.Http;

namespace Steward.Breaches;

public static class BreachEndpoints
{
    /// <summary>The processor's side: the register, the clocks, the notices (under /v1/processor).</summary>
    public static RouteGroupBuilder MapBreaches(this RouteGroupBuilder processor)
    {
        var breaches = processor.MapGroup("/breaches").WithTags("Breaches");
        breaches.MapPost("/", async (RecordBreach.Request request, RecordBreach record, CancellationToken ct) =>
                (await record.HandleAsync(request, ct)).ToHttp(id => TypedResults.Created($"/v1/processor/breaches/{id}", new { id })))
            .WithName("RecordBreach").WithSummary("Record an incident in the breach register (notifiable or not)");
        breaches.MapGet("/", async (bool? overdue, BreachRegister register, CancellationToken ct) =>
                TypedResults.Ok(await register.ListAsync(overdue ?? false, ct)))
            .WithName("ListBreaches").WithSummary("The breach register, with each clock; ?overdue=true for the overdue ones");
        breaches.MapGet("/{breachId:guid}", async (Guid breachId, BreachRegister register, CancellationToken ct) =>
                (await register.OneAsync(breachId, ct)).ToHttp(TypedResults.Ok))
            .WithName("GetBreach").WithSummary("One breach: facts, clocks, notices and steps");
        breaches.MapPost("/{breachId:guid}/status", async (Guid breachId, ChangeBreachStatus.Request request, ChangeBreachStatus change, CancellationToken ct) =>
                (await change.HandleAsync(breachId, request, ct)).ToHttp(s => TypedResults.Ok(new { status = s })))
            .WithName("ChangeBreachStatus").WithSummary("Confirm (awareness: the clocks start), dismiss, contain or close");
        breaches.MapPut("/{breachId:guid}/assessment", async (Guid breachId, AssessBreach.Request request, AssessBreach assess, CancellationToken ct) =>
                (await assess.HandleAsync(breachId, request, ct)).ToHttp(task => TypedResults.Ok(new { dataSubjectTask = task })))
            .WithName("AssessBreach").WithSummary("Facts, effects, remedies and the risk assessment (Art. 33(3), 34)");
        breaches.MapPost("/{breachId:guid}/notices", async (Guid breachId, NotifyClients.Request request, NotifyClients notify, CancellationToken ct) =>
                (await notify.HandleAsync(breachId, request, ct)).ToHttp(sent => TypedResults.Ok(new { sent })))
            .WithName("NotifyClients").WithSummary("Send the notice (or a follow-up phase) to the affected clients");
        breaches.MapGet("/{breachId:guid}/authority-notice", async (Guid breachId, NotifyAuthority notify, CancellationToken ct) =>
                (await notify.DraftAsync(breachId, ct)).ToHttp(TypedResults.Ok))
            .WithName("DraftAuthorityNotice").WithSummary("The draft notice to the supervisory authority (processor as controller)");
        breaches.MapPost("/{breachId:guid}/authority-notice", async (Guid breachId, NotifyAuthority.Request request, NotifyAuthority notify, CancellationToken ct) =>
                (await notify.HandleAsync(breachId, request, ct)).ToHttp(id => TypedResults.Ok(new { id })))
            .WithName("NotifyAuthority").WithSummary("Record the notice given to the supervisory authority");
        breaches.MapPost("/{breachId:guid}/clients/{clientId:guid}/legal-obligation", async (Guid breachId, Guid clientId,
                BreachCommunications.Approval request, BreachCommunications comms, CancellationToken ct) =>
                (await comms.LegalObligationAsync(clientId, breachId, request, ct)).ToHttp(k => TypedResults.Ok(new { kind = k })))
            .WithName("RecordBreachLegalObligation").WithSummary("Record a legal duty to make an external statement (G-11)");
        breaches.MapPost("/{breachId:guid}/communications", async (Guid breachId, BreachCommunications.Request request, BreachCommunications comms, CancellationToken ct) =>
                (await comms.SendAsync(breachId, request, ct)).ToHttp(id => TypedResults.Ok(new { id })))
            .WithName("BreachCommunication").WithSummary("A statement to the public or a third party: only with the clients' written agreement (G-11)");
        return processor;
    }

    /// <summary>The client's portal: the breaches that affect it and the notices it was sent.</summary>
    public static RouteGroupBuilder MapClientBreaches(this RouteGroupBuilder client)
    {
        var breaches = client.MapGroup("/breaches").WithTags("Breaches");
        breaches.MapGet("/", async (Guid clientId, BreachRegister register, CancellationToken ct) =>
                TypedResults.Ok(await register.ForClientAsync(clientId, ct)))
            .WithName("ClientBreaches").WithSummary("Breaches affecting this client, with the notices sent to it");
        breaches.MapPost("/{breachId:guid}/communications-agreement", async (Guid clientId, Guid breachId, BreachCommunications.Approval request,
                BreachCommunications comms, CancellationToken ct) =>
                (await comms.AgreeAsync(clientId, breachId, request, ct)).ToHttp(k => TypedResults.Ok(new { kind = k })))
            .WithName("AgreeBreachCommunication").WithSummary("Agree in writing to an external statement about the breach (G-11)");
        return client;
    }
}
