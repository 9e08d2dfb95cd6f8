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
                (await export.HandleAsync(clientId, format, ct)).ToHttp(f => TypedResults.File(f.Content, f.ContentType, f.Name)))
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
        return client;
    }
}
