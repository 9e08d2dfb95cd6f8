using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Team;
using Steward.Access;
using Steward.Clients;
using Steward.Data;
using Steward.Http;

namespace Steward.Retention;

public static class RetentionEndpoints
{
    public static RouteGroupBuilder MapClientRetention(this RouteGroupBuilder client)
    {
        client.MapPost("/cancel", async (Guid clientId, CancelClient cancel, CancellationToken ct) =>
                (await cancel.HandleAsync(clientId, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Clients").WithName("CancelClient").WithSummary("Cancel the subscription: processing stops, the data are kept for the grace window");
        client.MapPost("/reactivate", async (Guid clientId, ReactivateClient reactivate, CancellationToken ct) =>
                (await reactivate.HandleAsync(clientId, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Clients").WithName("ReactivateClient").WithSummary("Reactivate a cancelled client inside its grace window");
        client.MapPost("/termination", async (Guid clientId, ChooseTermination.Request request, ChooseTermination choose, CancellationToken ct) =>
                (await choose.HandleAsync(clientId, request, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Clients").WithName("ChooseTermination").WithSummary("At termination: return the data, or destroy them now");
        client.MapPost("/return-exports", async (Guid clientId, string? format, ReturnExport export, CancellationToken ct) =>
                (await export.HandleAsync(clientId, format, ct)).ToHttp(f => TypedResults.Stream(body => f.WriteToAsync(body, ct), f.ContentType, f.Name)))
            .WithTags("Clients").WithName("ExportClientData").WithSummary("Return all the client's data (format=json or csv): the first is free, later ones are counted billable");
        client.MapGet("/return-exports", async (StewardDb db, CancellationToken ct) =>
                TypedResults.Ok(await db.ReturnExports.AsNoTracking().OrderBy(r => r.Number).ToListAsync(ct)))
            .WithTags("Clients").WithName("ListReturnExports").WithSummary("The client's return exports, numbered, with which are billable");

        client.MapDelete("/contacts/{contactId:guid}", async (Guid clientId, Guid contactId, DeleteContact delete, CancellationToken ct) =>
                (await delete.HandleAsync(clientId, contactId, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Contacts").WithName("DeleteContact").WithSummary("Delete a contact: hidden at once, restorable by support within the restore window, then erased");
        client.MapPost("/contacts/{contactId:guid}/restore", async (Guid clientId, Guid contactId, RestoreContact restore, CancellationToken ct) =>
                (await restore.HandleAsync(clientId, contactId, ct)).ToHttp(TypedResults.Ok))
            .WithMetadata(new ClientRoles.StaffOnly("Only the processor's support restores a deleted contact."))
            .WithTags("Contacts").WithName("RestoreContact").WithSummary("Support restores a deleted contact from the trash (G-44)");
        client.MapGet("/destructions", async (Guid clientId, ReadDestructions read, CancellationToken ct) =>
                TypedResults.Ok(await read.ListAsync(false, clientId, ct)))
            .WithTags("Clients").WithName("ListClientDestructions").WithSummary("The client's destructions and their reports (P-26)");
        client.MapGet("/destructions/{destructionId:guid}", async (Guid destructionId, ReadDestructions read, CancellationToken ct) =>
                (await read.GetAsync(false, destructionId, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Clients").WithName("GetClientDestructionReport").WithSummary("A destruction report as JSON: scope, method, keys destroyed, hits per store, approvers, verifier, times");
        client.MapGet("/destructions/{destructionId:guid}/report.html", async (Guid destructionId, ReadDestructions read, CancellationToken ct) =>
                (await read.GetAsync(false, destructionId, ct)).ToHttp(v => Results.Content(DestructionReport.Html(v), "text/html; charset=utf-8")))
            .WithTags("Clients").WithName("PrintClientDestructionReport").WithSummary("A destruction report as a printable page");
        return client;
    }

    /// <summary>The processor's side: legal holds (G-21) and authorised destructions (P-26).</summary>
    public static RouteGroupBuilder MapDestructions(this RouteGroupBuilder v1)
    {
        var holds = v1.MapGroup("/legal-holds").WithTags("Retention").RequireAuthorization(Permissions.LegalHold);
        holds.MapPost("/", async (PlaceLegalHold.Request request, StaffPrincipal by, PlaceLegalHold place, CancellationToken ct) =>
                (await place.HandleAsync(by, request, ct)).ToHttp(r => TypedResults.Created($"/v1/legal-holds/{r.Id}", r)))
            .WithName("PlaceLegalHold").WithSummary("Hold a client or one of its contacts: every purge of it waits until the hold is lifted (G-21)");
        holds.MapGet("/", async (Guid? clientId, bool? lifted, StewardDb db, CancellationToken ct) =>
                TypedResults.Ok((await db.LegalHolds.IgnoreQueryFilters().AsNoTracking()
                    .Where(h => (clientId == null || h.ClientId == clientId) && (lifted == true || h.LiftedAt == null))
                    .OrderByDescending(h => h.PlacedAt).Take(500).ToListAsync(ct)).Select(PlaceLegalHold.View.Of)))
            .WithName("ListLegalHolds").WithSummary("Live legal holds (lifted=true: with the lifted ones)");
        holds.MapPost("/{holdId:guid}/lift", async (Guid holdId, LiftLegalHold.Request request, StaffPrincipal by, LiftLegalHold lift, CancellationToken ct) =>
                (await lift.HandleAsync(by, holdId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("LiftLegalHold").WithSummary("Lift a hold, with a reason: the purges it suspended run on the retention job's next pass");

        var destructions = v1.MapGroup("/destructions").WithTags("Retention").RequireAuthorization(Permissions.Compliance);
        destructions.MapPost("/", async (RequestDestruction.Request request, StaffPrincipal by, RequestDestruction file, CancellationToken ct) =>
                (await file.HandleAsync(by, request, ct)).ToHttp(r => TypedResults.Created($"/v1/destructions/{r.Id}", r)))
            .WithName("RequestDestruction").WithSummary("Request the destruction of a client or of some of its contacts; it runs once a CEO and a DPO approve (P-26)");
        destructions.MapGet("/", async (Guid? clientId, ReadDestructions read, CancellationToken ct) => TypedResults.Ok(await read.ListAsync(true, clientId, ct)))
            .WithName("ListDestructions").WithSummary("Every destruction, newest first");
        destructions.MapGet("/{destructionId:guid}", async (Guid destructionId, ReadDestructions read, CancellationToken ct) =>
                (await read.GetAsync(true, destructionId, ct)).ToHttp(TypedResults.Ok))
            .WithName("GetDestructionReport").WithSummary("A destruction report as JSON");
        destructions.MapGet("/{destructionId:guid}/report.html", async (Guid destructionId, ReadDestructions read, CancellationToken ct) =>
                (await read.GetAsync(true, destructionId, ct)).ToHttp(v => Results.Content(DestructionReport.Html(v), "text/html; charset=utf-8")))
            .WithName("PrintDestructionReport").WithSummary("A destruction report as a printable page");
        destructions.MapPost("/{destructionId:guid}/approve", async (Guid destructionId, StaffPrincipal by, ApproveDestruction approve, CancellationToken ct) =>
                (await approve.HandleAsync(by, destructionId, ct)).ToHttp(TypedResults.Ok))
            .WithName("ApproveDestruction").WithSummary("Approve as CEO or as DPO; the second approval, by another person, runs the destruction and its residual scan");
        destructions.MapPost("/{destructionId:guid}/scan", async (Guid destructionId, StaffPrincipal by, RunDestruction run, CancellationToken ct) =>
                (await run.HandleAsync(destructionId, by.StaffId, ct)).ToHttp(TypedResults.Ok))
            .WithName("RescanDestruction").WithSummary("Scan every store again for an open destruction's residue: clean, it completes");
        return v1;
    }
}
