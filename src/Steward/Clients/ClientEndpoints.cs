using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Data;
using Steward.Http;

namespace Steward.Clients;

public static class ClientEndpoints
{
    public sealed record ClientView(Guid Id, string Name, string Status, DateTimeOffset CreatedAt);

    public static RouteGroupBuilder MapSignUp(this RouteGroupBuilder v1)
    {
        v1.MapPost("/signup", async (SignUp.Request request, SignUp signUp, HttpContext http, CancellationToken ct) =>
                (await signUp.HandleAsync(request, http.Connection.RemoteIpAddress?.ToString(), Truncate(http.Request.Headers.UserAgent.ToString()), ct))
                .ToHttp(r => TypedResults.Created($"/v1/clients/{r.ClientId}", r)))
            .AllowAnonymous().RequireRateLimiting(RateLimits.SignUp)
            .WithTags("Clients").WithName("SignUp").WithSummary("Create a client, accepting every current legal document");
        return v1;
    }

    /// <summary>
    /// Everything under /v1/clients/{clientId}: only a credential of that very client gets in. Any other id answers
    /// 404, the same as an id that does not exist, so nothing tells one client about another.
    /// </summary>
    public static RouteGroupBuilder MapClient(this RouteGroupBuilder v1)
    {
        var client = v1.MapGroup("/clients/{clientId}").RequireAuthorization(Policies.ClientApi);
        client.MapGet("/", async (Guid clientId, StewardDb db, CancellationToken ct) =>
                await db.Clients.AsNoTracking().Where(c => c.Id == clientId)
                    .Select(c => new ClientView(c.Id, c.Name, c.Status, c.CreatedAt)).SingleAsync(ct))
            .WithTags("Clients").WithName("GetClient").WithSummary("The client itself");
        return client;
    }

    /// <summary>The processor's register of its clients, under /v1/processor (the DPO and the CEO).</summary>
    public static RouteGroupBuilder MapProcessorClients(this RouteGroupBuilder processor)
    {
        processor.MapGet("/clients", async (string? phase, ClientRegister register, CancellationToken ct) =>
                (await register.ListAsync(phase, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Clients").WithName("ListClients").WithSummary("Every client with its status and grace window, newest first (P-07, P-20)");
        processor.MapGet("/clients/{clientId:guid}", async (Guid clientId, ClientRegister register, CancellationToken ct) =>
                (await register.GetAsync(clientId, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Clients").WithName("GetClientRegisterEntry").WithSummary("One client: status, grace window and the DPA terms in force");
        return processor;
    }

    private static string? Truncate(string? value) => string.IsNullOrEmpty(value) ? null : value.Length > 512 ? value[..512] : value;
}

public static class Policies
{
    public const string ClientApi = "client-api";
}

public static class RateLimits
{
    public const string Public = "public";
    public const string SignUp = "signup";
}
