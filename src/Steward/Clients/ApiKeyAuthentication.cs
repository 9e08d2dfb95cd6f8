using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;

namespace Steward.Clients;

/// <summary>Client systems authenticate with <c>Authorization: Bearer stw_…</c>; the key is looked up by its hash.</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, StewardDb db, AuditContext audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ClientClaim = "client_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith("stw_", StringComparison.Ordinal) || secret.Length > 200) return AuthenticateResult.Fail("Not a Steward API key.");

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var key = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAt == null)
            .Select(k => new { k.Id, k.ClientId })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("Unknown or revoked API key.");

        audit.ActorType = "api-key";
        audit.ActorId = key.Id.ToString();
        audit.ClientId = key.ClientId;
        var identity = new ClaimsIdentity([new Claim(ClientClaim, key.ClientId.ToString()), new Claim(ClaimTypes.NameIdentifier, key.Id.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
