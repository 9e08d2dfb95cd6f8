using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Audit;
using Steward.Data;
using Steward.Http;
using Steward.Team;

namespace Steward.Clients;

/// <summary>
/// The one place where a request is let into a client's resources: the route's {clientId} must be the client of
/// the credential (and its role or scopes allow the route, <see cref="ClientRoles"/>), or the caller is a staff member whom a live grant lets in (<see cref="StaffClientAccess"/>).
/// Checked by authorization, before the body is even read; on success the unit of work is scoped to that client
/// (<see cref="StewardDb.TenantId"/>), so every query after it sees that client's rows only.
/// </summary>
public sealed class ClientAccess : AuthorizationHandler<ClientAccess>, IAuthorizationRequirement
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ClientAccess requirement)
    {
        if (context.Resource is not HttpContext http || !Guid.TryParse(http.Request.RouteValues["clientId"] as string, out var clientId)) return;
        var services = http.RequestServices;
        var db = services.GetRequiredService<StewardDb>();
        if (ClientCaller.From(context.User) is { } caller)
        {
            if (clientId != caller.ClientId) return;
            // the client's own credential: its role or its key's scopes must allow this route (403, with why)
            if (ClientRoles.Refusal(http, caller) is { } roleRefusal)
            {
                http.Items[StaffClientAccess.RefusalItem] = roleRefusal;
                return;
            }
        }
        else if (StaffPrincipal.From(context.User) is { } staff)
        {
            if (await StaffClientAccess.RefusalAsync(http, staff, clientId, db, services.GetRequiredService<RoleMatrix>(),
                    services.GetRequiredService<AuditContext>(), services.GetRequiredService<TimeProvider>()) is not null) return;
        }
        else
        {
            return;
        }
        // a cancelled client is storage only (P-07): reads, export, reactivation and termination choices, nothing else
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && await ClientLifecycle.WriteRefusalAsync(db, clientId, http.Request.Path.Value ?? "", http.RequestAborted) is { } refusal)
        {
            http.Items[ClientLifecycle.RefusalItem] = refusal;
            return;
        }
        db.TenantId = clientId;
        context.Succeed(requirement);
    }
}

/// <summary>
/// A signed-in caller refused a client answers 404, exactly as for a client that does not exist: nothing tells
/// one client that another exists. Without credentials: 401. Both as problem details.
/// </summary>
public sealed class ClientAccessResults : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.Items[ClientLifecycle.RefusalItem] is Error stopped)
        {
            await stopped.ToProblem().ExecuteAsync(context);
            return;
        }
        if (authorizeResult.Forbidden && context.Items[StaffClientAccess.RefusalItem] is string refusal)
        {
            // staff, and the client's own credentials, know the client exists: they are told why they may not reach it
            await Errors.Forbidden(refusal).ToProblem().ExecuteAsync(context);
            return;
        }
        if (authorizeResult.Forbidden && context.GetEndpoint()?.Metadata.GetMetadata<RefusalAlertMetadata>() is not null)
            await context.RequestServices.GetRequiredService<CredentialRegister>().AlertRefusedAsync(context, context.RequestAborted);
        if (authorizeResult.Forbidden && policy.Requirements.OfType<ClientAccess>().Any())
        {
            await Errors.NotFound("client").ToProblem().ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
