using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Steward.Clients;
using Steward.Data;
using Steward.Http;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// What every portal page shares, as <see cref="ClientAccess"/> does for the API: the unit of work is scoped to the
/// signed-in person's client, each handler asks the role for the right it uses (<see cref="ClientRoles"/>), and a
/// client that is not active may not change anything.
/// </summary>
public abstract class PortalPage : ConsolePage
{
    public ClientCaller Caller { get; private set; } = null!;

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (ClientCaller.From(User) is not { UserId: not null } caller)
        {
            context.Result = Challenge(PortalAuthentication.SchemeName);
            return;
        }
        Caller = caller;
        var db = HttpContext.RequestServices.GetRequiredService<StewardDb>();
        db.TenantId = caller.ClientId;
        if (!HttpMethods.IsGet(Request.Method)
            && await ClientLifecycle.WriteRefusalAsync(db, caller.ClientId, Request.Path.Value ?? "", HttpContext.RequestAborted) is { } stopped)
        {
            context.Result = new ContentResult { StatusCode = StatusCodes.Status409Conflict, Content = stopped.Detail, ContentType = "text/plain; charset=utf-8" };
            return;
        }
        await next();
    }

    /// <summary>Whether the person's role holds a right on the client's data (<see cref="Access.Rights"/>).</summary>
    public bool May(string right) => Caller.Role is { } role && ClientRoles.RoleMay(role, right);

    protected IActionResult RefuseRight() => Forbid(PortalAuthentication.SchemeName);

    /// <summary>
    /// A destructive action asks again first (<see cref="ConfirmClientUser"/>: the password or a current code), as
    /// Identity's DeletePersonalData does; a refusal or the action's error lands in the form. Null unless it ran.
    /// </summary>
    protected async Task<T?> ConfirmThenAsync<T>(string? confirmation, Func<CancellationToken, Task<Result<T>>> action, CancellationToken ct)
        where T : class
    {
        var confirm = HttpContext.RequestServices.GetRequiredService<ConfirmClientUser>();
        if (await confirm.HandleAsync(Caller, confirmation, ct) is { } refused)
        {
            ToModelState(refused);
            return null;
        }
        var result = await action(ct);
        if (result.Error is { } error) ToModelState(error);
        return result.Value;
    }
}
