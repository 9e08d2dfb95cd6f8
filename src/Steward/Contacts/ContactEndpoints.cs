using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Routing;
using Steward.Http;

namespace Steward.Contacts;

public static class ContactEndpoints
{
    public static RouteGroupBuilder MapContacts(this RouteGroupBuilder client)
    {
        client.MapPut("/fields", async (Guid clientId, JsonElement body, DeclareFields declare, CancellationToken ct) =>
                (await declare.HandleAsync(clientId, body, ct)).ToHttp(f => TypedResults.Ok(new { fields = f })))
            .Accepts<List<DeclareFields.FieldInput>>("application/json")
            .WithTags("Contacts").WithName("DeclareFields").WithSummary("Declare the client's custom contact fields");

        var contacts = client.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapPost("/", async (Guid clientId, JsonElement body, CreateContact create, CancellationToken ct) =>
                (await create.HandleAsync(clientId, body, ct)).ToHttp(c => TypedResults.Created($"/v1/clients/{clientId}/contacts/{c.Id}", c)))
            .Accepts<ContactFields.View>("application/json")
            .WithName("CreateContact").WithSummary("Add a contact; its personal data are sealed under its own key");
        contacts.MapPost("/import", async (Guid clientId, HttpRequest request, ImportContacts import, IConfiguration config, CancellationToken ct) =>
            {
                if (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
                    return Errors.Invalid("contentType", "Send the file as text/csv.").ToProblem();
                // a file is bigger than a request: its own limit, set before the body is read
                if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                    limit.MaxRequestBodySize = config.GetValue("Steward:Import:MaxBytes", 200L * 1024 * 1024);
                using var reader = new StreamReader(request.Body, Encoding.UTF8);
                return (await import.HandleAsync(clientId, reader, null, ct)).ToHttp(TypedResults.Ok);
            })
            // no Accepts<>("text/csv"): as routing metadata it would answer 415 before the tenant gate answers 404
            .WithName("ImportContacts").WithSummary("Import contacts from a text/csv body with their consent evidence; resumable, with a per-row error report");
        contacts.MapGet("/", async (Guid clientId, string? email, string? phone, string? cursor, int? limit, ReadContacts read, CancellationToken ct) =>
                (await read.FindAsync(clientId, email, phone, cursor, limit, ct)).ToHttp(TypedResults.Ok))
            .WithName("ListContacts").WithSummary("List contacts, or find them by email or phone through the blind index");
        contacts.MapGet("/{contactId:guid}", async (Guid clientId, Guid contactId, [FromHeader(Name = RestrictedReads.Header)] string? reason,
                ReadContacts read, CancellationToken ct) =>
                (await read.OneAsync(clientId, contactId, reason, ct)).ToHttp(TypedResults.Ok))
            .WithName("GetContact").WithSummary("Everything held about one contact (a restricted one only with a reason in X-Access-Reason, recorded)");
        contacts.MapPatch("/{contactId:guid}", async (Guid clientId, Guid contactId, JsonElement body, RectifyContact rectify, CancellationToken ct) =>
                (await rectify.HandleAsync(clientId, contactId, body, ct)).ToHttp(TypedResults.Ok))
            .Accepts<ContactFields.View>("application/json")
            .WithName("RectifyContact").WithSummary("Correct a contact (JSON merge patch: null clears a field)");
        contacts.MapPost("/{contactId:guid}/erase", async (Guid clientId, Guid contactId, EraseContact erase, CancellationToken ct) =>
                (await erase.HandleAsync(clientId, contactId, ct)).ToHttp(TypedResults.Ok))
            .WithName("EraseContact").WithSummary("Erase a contact for good: destroy its key, delete its rows, append the forget ledger");
        return client;
    }
}
