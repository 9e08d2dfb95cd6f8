using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Http;

namespace Steward.Access;

public static class AccessEndpoints
{
    public const string SignInLimit = "staff-sign-in";

    public static IServiceCollection AddAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection("Steward:Access"))
            .Validate(o => o.PasswordIterations >= 1 && o.MaxFailedSignIns >= 1, "Steward:Access: iterations and failures must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.GuidelinesVersion) && o.GuidelinesVersion.Length <= 50, "Steward:Access:GuidelinesVersion: 1 to 50 characters.")
            .ValidateOnStart();
        services.Configure<PasswordHasherOptions>(o =>
        {
            o.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3; // PBKDF2-HMAC-SHA512, 128-bit salt
            o.IterationCount = configuration.GetValue("Steward:Access:PasswordIterations", 210_000);
        });
        services.AddSingleton<RoleMatrix>();
        services.AddSingleton<IPasswordHasher<StaffMember>, PasswordHasher<StaffMember>>();
        services.AddScoped<StaffDirectory>();
        services.AddScoped<AddStaff>();
        services.AddScoped<AcceptInvitation>();
        services.AddScoped<SignIn>();
        services.AddScoped<ManageSessions>();
        services.AddScoped<RecordOnboarding>();
        services.AddScoped<ConfidentialityRegister>();
        services.AddScoped<DisableStaff>();
        services.AddScoped<RequestGrant>();
        services.AddScoped<ApproveGrant>();
        services.AddScoped<RevokeGrant>();
        services.AddScoped<ListGrants>();
        services.AddScoped<ReviewGrants>();
        services.AddScoped<ApproveAction>();
        services.AddScoped<StaffWithAccess>();
        services.AddScoped<SetUpFirstStaff>();
        services.AddScoped<Audit.ReadAccessLog>();
        services.AddScoped<CredentialRegister>();
        return services;
    }

    /// <summary>The staff bearer scheme, one policy per permission of the matrix, and the per-IP sign-in limit.</summary>
    public static IServiceCollection AddAccessHttp(this IServiceCollection services, AuthenticationBuilder authentication, AuthorizationBuilder authorization)
    {
        authentication.AddScheme<AuthenticationSchemeOptions, StaffAuthentication>(StaffAuthentication.SchemeName, null);
        foreach (var permission in Permissions.All)
            authorization.AddPolicy(permission, p => p.AddAuthenticationSchemes(StaffAuthentication.SchemeName)
                .RequireAuthenticatedUser().AddRequirements(new StaffPermission(permission)));
        services.AddSingleton<IAuthorizationHandler, StaffPermissionHandler>();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(SignInLimit, http =>
            RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.SignInPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })));
        return services;
    }

    public static RouteGroupBuilder MapStaff(this RouteGroupBuilder v1)
    {
        var open = v1.MapGroup("/staff").WithTags("Staff").AllowAnonymous().RequireRateLimiting(SignInLimit);
        open.MapPost("/setup", async (string? token, SetUpFirstStaff.Request request, SetUpFirstStaff setup, CancellationToken ct) =>
                (await setup.HandleAsync(request with { Token = request.Token ?? token }, ct)).ToHttp(r => TypedResults.Created((string?)null, r)))
            .WithName("SetUpFirstStaff").WithSummary("First start: create the first CEO and DPO through the one-time link printed to the console");
        open.MapPost("/invitations/accept", async (string? token, AcceptInvitation.Request request, AcceptInvitation accept, CancellationToken ct) =>
                (await accept.HandleAsync(request with { Token = request.Token ?? token }, ct)).ToHttp(TypedResults.Ok))
            .WithName("AcceptStaffInvitation").WithSummary("Choose a password; receive the TOTP secret and recovery codes, once");
        open.MapPost("/sessions", async (SignIn.Request request, SignIn signIn, CancellationToken ct) =>
                (await signIn.HandleAsync(request, ct)).ToHttp(r => TypedResults.Created($"/v1/staff/me/sessions/{r.SessionId}", r)))
            .WithName("StaffSignIn").WithSummary("Sign in with email, password and TOTP code (or a recovery code); returns a bearer token");

        var me = v1.MapGroup("/staff/me").WithTags("Staff").RequireAuthorization(Permissions.SignedIn);
        me.MapGet("/sessions", async (StaffPrincipal staff, ManageSessions sessions, CancellationToken ct) => TypedResults.Ok(await sessions.ListAsync(staff, ct)))
            .WithName("ListStaffSessions").WithSummary("My live sessions");
        me.MapDelete("/sessions/{sessionId:guid}", async (Guid sessionId, StaffPrincipal staff, ManageSessions sessions, CancellationToken ct) =>
                (await sessions.EndAsync(staff, sessionId, ct)).ToHttp(TypedResults.Ok))
            .WithName("EndStaffSession").WithSummary("End one of my sessions (my current one: sign out)");

        var staff = v1.MapGroup("/staff").WithTags("Staff");
        staff.MapPost("/", async (AddStaff.Request request, AddStaff add, CancellationToken ct) =>
                (await add.HandleAsync(request, ct)).ToHttp(r => TypedResults.Created($"/v1/staff/{r.Id}", r)))
            .RequireAuthorization(Permissions.ManageStaff).WithName("AddStaff").WithSummary("Add a staff member with a role; they are invited by mail");
        staff.MapPost("/{staffId:guid}/onboarding", async (Guid staffId, RecordOnboarding.Request request, RecordOnboarding record, CancellationToken ct) =>
                (await record.HandleAsync(staffId, request, ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.ManageStaff).WithName("RecordOnboarding")
            .WithSummary("Record training, confidentiality undertaking, DPA briefing and the acknowledgement of the guidelines in force (G-08, P-32, G-39)");
        staff.MapGet("/confidentiality-register", async (ConfidentialityRegister register, CancellationToken ct) => TypedResults.Ok(await register.HandleAsync(ct)))
            .RequireAuthorization(Permissions.ReadGrants).WithName("ConfidentialityRegister")
            .WithSummary("Everyone under the processor's authority, contractors and leavers included: undertaking and guidelines version (P-32, G-22, G-39)");
        staff.MapPost("/{staffId:guid}/disable", async (Guid staffId, StaffPrincipal by, DisableStaff disable, CancellationToken ct) =>
                (await disable.HandleAsync(by, staffId, ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.DisableStaff).WithName("DisableStaff").WithSummary("Offboarding: end every session and grant at once (P-18)");

        var grants = v1.MapGroup("/access-grants").WithTags("Staff");
        grants.MapPost("/", async (RequestGrant.Request request, StaffPrincipal by, RequestGrant grant, CancellationToken ct) =>
                (await grant.HandleAsync(by, request, ct)).ToHttp(r => TypedResults.Created($"/v1/access-grants/{r.Id}", r)))
            .RequireAuthorization(Permissions.RequestGrant).WithName("RequestGrant").WithSummary("Ask for a grant; pending until a CEO and a DPO approve (P-16)");
        grants.MapGet("/", async (Guid? staffId, ListGrants list, CancellationToken ct) => TypedResults.Ok(await list.HandleAsync(staffId, ct)))
            .RequireAuthorization(Permissions.ReadGrants).WithName("ListGrants").WithSummary("Every grant, for the access review (G-40)");
        grants.MapPost("/{grantId:guid}/approve", async (Guid grantId, StaffPrincipal by, ApproveGrant approve, CancellationToken ct) =>
                (await approve.HandleAsync(by, grantId, ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.ApproveGrant).WithName("ApproveGrant").WithSummary("Approve a grant as CEO or as DPO");
        grants.MapPost("/{grantId:guid}/revoke", async (Guid grantId, StaffPrincipal by, RevokeGrant revoke, CancellationToken ct) =>
                (await revoke.HandleAsync(by, grantId, ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.RevokeGrant).WithName("RevokeGrant").WithSummary("Revoke a grant: it stops working on the next request");
        grants.MapPost("/{grantId:guid}/review", async (Guid grantId, ReviewGrants review, CancellationToken ct) =>
                (await review.KeepAsync(grantId, ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.ApproveGrant).WithName("ReviewGrant").WithSummary("Keep a grant after its periodic review");

        v1.MapPost("/action-approvals", async (ApproveAction.Request request, StaffPrincipal by, ApproveAction approve, CancellationToken ct) =>
                (await approve.HandleAsync(by, request, ct)).ToHttp(r => TypedResults.Created((string?)null, r)))
            .RequireAuthorization(Permissions.ApproveAction).WithTags("Staff")
            .WithName("ApproveAction").WithSummary("DPO: approve one modifying or removing action of a system administrator (P-14)");

        var credentials = v1.MapGroup("/privileged-credentials").WithTags("Staff").RequireAuthorization(Permissions.PrivilegedCredentials);
        credentials.MapGet("/", async (CredentialRegister register, CancellationToken ct) => TypedResults.Ok(await register.ListAsync(ct)))
            .WithName("ListPrivilegedCredentials").WithSummary("P-24: who holds which privileged credential; issued, rotated, reviewed, revoked");
        credentials.MapPost("/", async (CredentialRegister.Request request, StaffPrincipal by, CredentialRegister register, CancellationToken ct) =>
                (await register.IssueAsync(by, request, ct)).ToHttp(r => TypedResults.Created($"/v1/privileged-credentials/{r.Id}", r)))
            .WithName("IssuePrivilegedCredential").WithSummary("Record a credential issued to a person (its secret optional, sealed)");
        credentials.MapPost("/{credentialId:guid}/rotate", async (Guid credentialId, CredentialRegister.Rotation request, StaffPrincipal by, CredentialRegister register,
                CancellationToken ct) => (await register.RotateAsync(by, credentialId, request, ct)).ToHttp(TypedResults.Ok))
            .WithName("RotatePrivilegedCredential").WithSummary("Record a rotation (with the new secret, if kept)");
        credentials.MapPost("/{credentialId:guid}/review", async (Guid credentialId, StaffPrincipal by, CredentialRegister register, CancellationToken ct) =>
                (await register.ReviewAsync(by, credentialId, ct)).ToHttp(TypedResults.Ok))
            .WithName("ReviewPrivilegedCredential").WithSummary("Record the periodic review of a credential");
        credentials.MapPost("/{credentialId:guid}/revoke", async (Guid credentialId, StaffPrincipal by, CredentialRegister register, CancellationToken ct) =>
                (await register.RevokeAsync(by, credentialId, ct)).ToHttp(TypedResults.Ok))
            .WithName("RevokePrivilegedCredential").WithSummary("Revoke a credential; a kept secret is shredded");
        credentials.MapPost("/{credentialId:guid}/reveal", async (Guid credentialId, StaffPrincipal by, CredentialRegister register, CancellationToken ct) =>
                (await register.RevealAsync(by, credentialId, ct)).ToHttp(TypedResults.Ok))
            .WithMetadata(new RefusalAlertMetadata("privileged credential"))
            .WithName("RevealPrivilegedCredential").WithSummary("Break-glass: reveal a kept secret; logged, alerts the other CEOs and DPOs, due for rotation");
        return v1;
    }

    /// <summary>P-15, on the client's own routes.</summary>
    public static RouteGroupBuilder MapStaffWithAccess(this RouteGroupBuilder client)
    {
        client.MapGet("/staff-with-access", async (Guid clientId, StaffWithAccess list, CancellationToken ct) => TypedResults.Ok(await list.HandleAsync(clientId, ct)))
            .WithTags("Clients").WithName("StaffWithAccess").WithSummary("Who at the processor can reach this client's personal data, from the live grants");
        client.MapGet("/access-log", async (Guid clientId, DateTimeOffset? from, DateTimeOffset? to, long? after, int? limit, Audit.ReadAccessLog read, CancellationToken ct) =>
                (await read.HandleAsync(clientId, from, to, after, limit, ct)).ToHttp(TypedResults.Ok))
            .WithMetadata(new DataRightMetadata(Rights.AuditLog))
            .WithTags("Clients").WithName("ReadAccessLog").WithSummary("This client's access log (kept six months): for the client and the auditor it appointed");
        return client;
    }
}
