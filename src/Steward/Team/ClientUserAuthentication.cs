using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Clients;
using Steward.Data;

namespace Steward.Team;

/// <summary>
/// A client's team member authenticates with <c>Authorization: Bearer stu_…</c>. Session and person are read on
/// every request: a removed person, or an ended or expired session, is refused on the very next request, and a
/// changed role applies at once. The client portal reads the same token from its cookie.
/// </summary>
public class ClientUserAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    StewardDb db, AuditContext audit, TimeProvider clock, IOptions<AccessOptions> access) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ClientUser";
    public const string TokenPrefix = "stu_";

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
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 200) return AuthenticateResult.NoResult();

        var hash = Credentials.Hash(token);
        var now = clock.GetUtcNow();
        var idleSince = now - access.Value.SessionIdle;
        var found = await (from s in db.ClientSessions.IgnoreQueryFilters()
                           join u in db.ClientUsers.IgnoreQueryFilters() on s.UserId equals u.Id
                           where s.TokenHash == hash && s.EndedAt == null && s.ExpiresAt > now && s.LastSeenAt > idleSince && u.RemovedAt == null
                           select new { s.Id, s.UserId, s.ClientId, s.LastSeenAt, u.Role }).SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("Unknown, ended or expired client session.");
        if (now - found.LastSeenAt > TimeSpan.FromMinutes(1))
            await db.ClientSessions.IgnoreQueryFilters().Where(s => s.Id == found.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), Context.RequestAborted);

        audit.ActorType = "client-user";
        audit.ActorId = found.UserId.ToString();
        audit.ClientId = found.ClientId;
        var identity = new ClaimsIdentity(
        [
            new Claim(ApiKeyAuthentication.ClientClaim, found.ClientId.ToString()),
            new Claim(ClientCaller.UserClaim, found.UserId.ToString()),
            new Claim(ClientCaller.SessionClaim, found.Id.ToString()),
            new Claim(ClientCaller.RoleClaim, found.Role),
            new Claim(ClaimTypes.NameIdentifier, found.UserId.ToString()),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>A client's own credential, as the tenant gate and the handlers see it: a team member (role) or an API key (scopes).</summary>
public sealed record ClientCaller(Guid ClientId, Guid? UserId, Guid? SessionId, Guid? KeyId, string? Role, IReadOnlySet<string> Scopes)
{
    public const string UserClaim = "client_user_id";
    public const string SessionClaim = "client_session_id";
    public const string RoleClaim = "client_role";
    public const string ScopeClaim = "scope";

    public static ClientCaller? From(ClaimsPrincipal user)
    {
        if (!Guid.TryParse(user.FindFirst(ApiKeyAuthentication.ClientClaim)?.Value, out var clientId)) return null;
        static Guid? Id(Claim? claim) => Guid.TryParse(claim?.Value, out var id) ? id : null;
        var userId = Id(user.FindFirst(UserClaim));
        return new ClientCaller(clientId, userId, Id(user.FindFirst(SessionClaim)),
            userId is null ? Id(user.FindFirst(ClaimTypes.NameIdentifier)) : null,
            user.FindFirst(RoleClaim)?.Value, user.FindAll(ScopeClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
    }

    public static ValueTask<ClientCaller?> BindAsync(HttpContext http) => ValueTask.FromResult(From(http.User));
}
