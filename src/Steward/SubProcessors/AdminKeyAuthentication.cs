using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Audit;

namespace Steward.SubProcessors;

/// <summary>
/// Stand-in for processor staff roles (issue 4): processor-admin endpoints need <c>Authorization: Bearer {key}</c>
/// with the key configured as <c>Steward:SubProcessors:AdminApiKey</c>. With no key configured, nobody gets in.
/// Replace the <see cref="Policy"/> with the staff roles once they exist.
/// </summary>
public sealed class AdminKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, IOptions<SubProcessorOptions> settings, AuditContext audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminKey";
    public const string Policy = "processor-admin";
    public const string AdminClaim = "processor_admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var configured = settings.Value.AdminApiKey;
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(configured) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        if (!CryptographicOperations.FixedTimeEquals(given, expected)) return Task.FromResult(AuthenticateResult.Fail("Not the processor-admin key."));
        audit.ActorType = "processor-admin";
        audit.ActorId = "admin-key";
        var identity = new ClaimsIdentity([new Claim(AdminClaim, "true")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
