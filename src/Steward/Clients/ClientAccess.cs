using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Steward.Data;
using Steward.Http;

namespace Steward.Clients;

/// <summary>
/// The one place where a request is let into a client's resources: the route's {clientId} must be the client of
/// the credential. Checked by authorization, before the body is even read; on success the unit of work is scoped
/// to that client (<see cref="StewardDb.TenantId"/>), so every query after it sees that client's rows only.
/// </summary>
public sealed class ClientAccess : AuthorizationHandler<ClientAccess>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ClientAccess requirement)
    {
        if (context.Resource is HttpContext http
            && Guid.TryParse(http.Request.RouteValues["clientId"] as string, out var clientId)
            && Guid.TryParse(context.User.FindFirst(ApiKeyAuthentication.ClientClaim)?.Value, out var own)
            && clientId == own)
        {
            http.RequestServices.GetRequiredService<StewardDb>().TenantId = clientId;
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
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
        if (authorizeResult.Forbidden && policy.Requirements.OfType<ClientAccess>().Any())
        {
            await Errors.NotFound("client").ToProblem().ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
