using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;

namespace Steward.Access;

/// <summary>
/// Staff authenticate with <c>Authorization: Bearer sts_…</c>. The session is looked up by its hash on every request,
/// with its person: an ended, expired or idle session, or a disabled person, is refused on the very next request
/// (P-18, ASVS V7.4.2): nothing about a session is cached. The console reads the same token from its cookie.
/// </summary>
public class StaffAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    StewardDb db, AuditContext audit, TimeProvider clock, IOptions<AccessOptions> access) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Staff";
    public const string StaffClaim = "staff_id";
    public const string SessionClaim = "session_id";
    public const string RoleClaim = "staff_role";
    public const string LeadPmClaim = "lead_pm";

    /// <summary>The session token this request carries, if any.</summary>
    protected virtual string? ReadToken()
    {
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (token is null) return AuthenticateResult.NoResult();
        if (!token.StartsWith(Credentials.TokenPrefix, StringComparison.Ordinal) || token.Length > 200) return AuthenticateResult.NoResult();

        var hash = Credentials.Hash(token);
        var now = clock.GetUtcNow();
        var idleSince = now - access.Value.SessionIdle;
        var found = await (from s in db.StaffSessions
                           join m in db.StaffMembers on s.StaffId equals m.Id
                           where s.TokenHash == hash && s.EndedAt == null && s.ExpiresAt > now && s.LastSeenAt > idleSince && m.DisabledAt == null
                           select new { Session = s, m.Role, m.LeadPm }).SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("Unknown, ended or expired staff session.");

        // sliding idle timeout: touched at most once a minute
        if (now - found.Session.LastSeenAt > TimeSpan.FromMinutes(1))
            await db.StaffSessions.Where(s => s.Id == found.Session.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), Context.RequestAborted);

        audit.ActorType = "staff";
        audit.ActorId = found.Session.StaffId.ToString();
        var identity = new ClaimsIdentity(
        [
            new Claim(StaffClaim, found.Session.StaffId.ToString()),
            new Claim(SessionClaim, found.Session.Id.ToString()),
            new Claim(RoleClaim, found.Role),
            new Claim(LeadPmClaim, found.LeadPm.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.NameIdentifier, found.Session.StaffId.ToString()),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>The signed-in staff member, as the route handlers see it.</summary>
public sealed record StaffPrincipal(Guid StaffId, Guid SessionId, string Role, bool LeadPm)
{
    public static StaffPrincipal? From(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst(StaffAuthentication.StaffClaim)?.Value, out var id)
        && Guid.TryParse(user.FindFirst(StaffAuthentication.SessionClaim)?.Value, out var session)
            ? new StaffPrincipal(id, session, user.FindFirst(StaffAuthentication.RoleClaim)!.Value,
                user.FindFirst(StaffAuthentication.LeadPmClaim)?.Value == "True")
            : null;

    /// <summary>Binds from the request in minimal API handlers; the route's policy has made sure it is there.</summary>
    public static ValueTask<StaffPrincipal?> BindAsync(HttpContext http) => ValueTask.FromResult(From(http.User));
}

/// <summary>A permission of the role matrix, as an authorization requirement: the policy of the same name holds one.</summary>
public sealed record StaffPermission(string Permission) : IAuthorizationRequirement;

public sealed class StaffPermissionHandler(RoleMatrix matrix) : AuthorizationHandler<StaffPermission>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StaffPermission requirement)
    {
        if (StaffPrincipal.From(context.User) is { } staff && matrix.Has(staff.Role, staff.LeadPm, requirement.Permission))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
