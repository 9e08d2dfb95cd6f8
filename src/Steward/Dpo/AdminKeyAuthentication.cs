using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Audit;

namespace Steward.Dpo;

public sealed class AdminOptions
{
    /// <summary>The processor-side API key (`Steward:Admin:ApiKey`). Without one, processor endpoints refuse everyone.</summary>
    public string? ApiKey { get; set; }
}

/// <summary>
/// Stop-gap for the processor's staff endpoints (breaches, records, duties) until staff roles and SSO exist:
/// one configured key in the <c>X-Admin-Key</c> header, compared in constant time. Swap this policy for the staff
/// role requirements when they land; the endpoints only name <see cref="ProcessorPolicies.Admin"/>.
/// </summary>
public sealed class AdminKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, IOptions<AdminOptions> admin, AuditContext audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminKey";
    public const string Header = "X-Admin-Key";
    public const string AdminClaim = "processor_admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var given = Request.Headers[Header].ToString();
        if (given.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        var configured = admin.Value.ApiKey;
        if (string.IsNullOrEmpty(configured) || given.Length > 200
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(configured))))
            return Task.FromResult(AuthenticateResult.Fail("Unknown admin key."));
        audit.ActorType = "admin-key";
        audit.ActorId = "admin";
        var identity = new ClaimsIdentity([new Claim(AdminClaim, "true"), new Claim(ClaimTypes.NameIdentifier, "admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

public static class ProcessorPolicies
{
    public const string Admin = "processor-admin";
}
