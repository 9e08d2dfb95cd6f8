using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Http;

namespace Steward.Team;

/// <summary>The client's team: its people (roles, invitations, sign-in, two-factor) and its API keys.</summary>
public static class TeamEndpoints
{
    /// <summary>A signed-in team member's own routes.</summary>
    public const string Policy = "client-user";

    public static IServiceCollection AddTeam(this IServiceCollection services, AuthenticationBuilder authentication, AuthorizationBuilder authorization)
    {
        authentication.AddScheme<AuthenticationSchemeOptions, ClientUserAuthentication>(ClientUserAuthentication.SchemeName, null);
        authorization.AddPolicy(Policy, p => p.AddAuthenticationSchemes(ClientUserAuthentication.SchemeName).RequireClaim(ClientCaller.SessionClaim));
        services.AddScoped<InviteClientUser>();
        services.AddScoped<ProductMessages>();
        services.AddScoped<AcceptClientInvitation>();
        services.AddScoped<ClientSignIn>();
        services.AddScoped<ManageTeam>();
        services.AddScoped<ManageApiKeys>();
        services.AddScoped<ClientTwoFactor>();
        services.AddScoped<ResetClientTwoFactor>();
        services.AddScoped<ManageClientSessions>();
        services.AddScoped<ConfirmClientUser>();
        return services;
    }

    /// <summary>Under /v1/clients/{clientId}: owners and admins only (<see cref="ClientRoles.ManageTeam"/>), never an API key or staff.</summary>
    public static RouteGroupBuilder MapTeam(this RouteGroupBuilder client)
    {
        var users = client.MapGroup("/users").WithTags("Team").WithMetadata(new DataRightMetadata(ClientRoles.ManageTeam));
        users.MapGet("/", async (Guid clientId, ManageTeam team, CancellationToken ct) => TypedResults.Ok(await team.ListAsync(clientId, ct)))
            .WithName("ListClientUsers").WithSummary("The team: people, roles, status, two-factor");
        users.MapPost("/invitations", async (Guid clientId, InviteClientUser.Request request, ClientCaller by, InviteClientUser invite, CancellationToken ct) =>
                (await invite.HandleAsync(by, clientId, request, ct)).ToHttp(r => TypedResults.Created($"/v1/clients/{clientId}/users/{r.Id}", r)))
            .WithName("InviteClientUser").WithSummary("Invite a person by mail with a role (the link expires and works once)");
        users.MapPatch("/{userId:guid}", async (Guid userId, ManageTeam.ChangeRole request, ClientCaller by, ManageTeam team, CancellationToken ct) =>
                (await team.ChangeRoleAsync(by, userId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("ChangeClientUserRole").WithSummary("Change a person's role (the client keeps at least one owner)");
        users.MapDelete("/{userId:guid}", async (Guid userId, ClientCaller by, ManageTeam team, CancellationToken ct) =>
                (await team.RemoveAsync(by, userId, ct)).ToHttp(TypedResults.Ok))
            .WithName("RemoveClientUser").WithSummary("Remove a person: their sessions end on their next request");
        users.MapDelete("/{userId:guid}/totp", async (Guid clientId, Guid userId, ClientCaller by, ResetClientTwoFactor reset, CancellationToken ct) =>
                (await reset.HandleAsync(by, clientId, userId, ct)).ToHttp(TypedResults.Ok))
            .WithName("ResetClientTwoFactor").WithSummary("Reset a person's two-factor after a lost authenticator: their sessions end, they are told by mail");

        var keys = client.MapGroup("/api-keys").WithTags("Team").WithMetadata(new DataRightMetadata(ClientRoles.ManageTeam));
        keys.MapGet("/", async (ManageApiKeys manage, CancellationToken ct) => TypedResults.Ok(await manage.ListAsync(ct)))
            .WithName("ListApiKeys").WithSummary("The client's API keys: scopes, expiry, last use (never the secret)");
        keys.MapPost("/", async (Guid clientId, ManageApiKeys.Request request, ClientCaller by, ManageApiKeys manage, CancellationToken ct) =>
                (await manage.CreateAsync(by, clientId, request, ct)).ToHttp(r => TypedResults.Created($"/v1/clients/{clientId}/api-keys/{r.Key.Id}", r)))
            .WithName("CreateApiKey").WithSummary("Make a scoped API key; the secret is shown once");
        keys.MapDelete("/{keyId:guid}", async (Guid keyId, ClientCaller by, ManageApiKeys manage, CancellationToken ct) =>
                (await manage.RevokeAsync(by, keyId, ct)).ToHttp(TypedResults.Ok))
            .WithName("RevokeApiKey").WithSummary("Revoke a key: refused from its next request");
        return client;
    }

    /// <summary>/v1/client-users: accepting an invitation and signing in (rate-limited per IP), and the signed-in person's own routes.</summary>
    public static RouteGroupBuilder MapClientUsers(this RouteGroupBuilder v1)
    {
        var open = v1.MapGroup("/client-users").WithTags("Team").AllowAnonymous().RequireRateLimiting(AccessEndpoints.SignInLimit);
        open.MapPost("/invitations/accept", async (string? token, AcceptClientInvitation.Request request, AcceptClientInvitation accept, CancellationToken ct) =>
                (await accept.HandleAsync(request with { Token = request.Token ?? token }, ct)).ToHttp(TypedResults.Ok))
            .WithName("AcceptClientInvitation").WithSummary("Choose a password through the invitation link");
        open.MapPost("/sessions", async (ClientSignIn.Request request, ClientSignIn signIn, CancellationToken ct) =>
                (await signIn.HandleAsync(request, ct)).ToHttp(r => TypedResults.Created((string?)null, r)))
            .WithName("ClientSignIn").WithSummary("Sign in with email, password and (once enrolled) a TOTP code or a recovery code; returns a bearer token");

        var me = v1.MapGroup("/client-users/me").WithTags("Team").RequireAuthorization(Policy);
        me.MapPost("/totp", async (ClientCaller me, ClientTwoFactor twoFactor, CancellationToken ct) => (await twoFactor.StartAsync(me, ct)).ToHttp(TypedResults.Ok))
            .WithName("StartClientTwoFactor").WithSummary("Start two-factor enrolment: a TOTP secret, pending until confirmed");
        me.MapPost("/totp/confirm", async (ClientTwoFactor.Confirm request, ClientCaller me, ClientTwoFactor twoFactor, CancellationToken ct) =>
                (await twoFactor.ConfirmAsync(me, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("ConfirmClientTwoFactor").WithSummary("Confirm with a first code: sign-in needs a code from now on; returns the recovery codes, once");
        me.MapPost("/recovery-codes", async (ClientTwoFactor.Confirm request, ClientCaller me, ClientTwoFactor twoFactor, CancellationToken ct) =>
                (await twoFactor.RegenerateRecoveryCodesAsync(me, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("RegenerateClientRecoveryCodes").WithSummary("New recovery codes for a current TOTP code; the old ones stop working");
        me.MapGet("/sessions", async (ClientCaller me, ManageClientSessions sessions, CancellationToken ct) => TypedResults.Ok(await sessions.ListAsync(me, ct)))
            .WithName("ListClientSessions").WithSummary("My live sessions");
        me.MapDelete("/sessions/{sessionId:guid}", async (Guid sessionId, ClientCaller me, ManageClientSessions sessions, CancellationToken ct) =>
                (await sessions.EndAsync(me, sessionId, ct)).ToHttp(TypedResults.Ok))
            .WithName("EndClientSession").WithSummary("End one of my sessions: refused from its next request");
        me.MapDelete("/session", async (ClientCaller me, ClientTwoFactor twoFactor, CancellationToken ct) =>
                (await twoFactor.SignOutAsync(me, ct)).ToHttp(id => TypedResults.Ok(new { sessionId = id })))
            .WithName("ClientSignOut").WithSummary("Sign out: this session ends now");
        me.MapPost("/product-messages/opt-out", async (ClientCaller me, ProductMessages messages, CancellationToken ct) =>
                (await messages.OptOutAsync(me, ct)).ToHttp(TypedResults.Ok))
            .WithName("OptOutOfProductMessages").WithSummary("No more product tips from the processor to me (G-43): my address joins the suppression list");
        return v1;
    }
}
