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

/// <summary>
/// Client systems authenticate with <c>Authorization: Bearer stw_…</c>; the key is looked up by its hash on every
/// request, so a revoked or expired key is refused at once. Its scopes become claims (<see cref="Team.ClientRoles"/>).
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, StewardDb db, AuditContext audit, TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ClientClaim = "client_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith("stw_", StringComparison.Ordinal) || secret.Length > 200) return AuthenticateResult.NoResult();

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var now = clock.GetUtcNow();
        var key = await FindKey.For(db)(db, hash, now, Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        // the last-used time, to the minute: enough to find unused keys without a write per request
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
            await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == key.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);

        audit.ActorType = "api-key";
        audit.ActorId = key.Id.ToString();
        audit.ClientId = key.ClientId;
        var identity = new ClaimsIdentity([new Claim(ClientClaim, key.ClientId.ToString()), new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()),
            .. key.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(Team.ClientCaller.ScopeClaim, s))], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private sealed record Key(Guid Id, Guid ClientId, string Scopes, DateTimeOffset? LastUsedAt);

    /// <summary>Compiled: it runs before every API request (through LINQ it cost a query compilation's cache lookup each time).</summary>
    private static readonly CompiledQuery<Func<StewardDb, byte[], DateTimeOffset, CancellationToken, Task<Key?>>> FindKey =
        new(() => EF.CompileAsyncQuery((StewardDb db, byte[] hash, DateTimeOffset now, CancellationToken ct) => db.ApiKeys.IgnoreQueryFilters()
            .Where(k => k.Hash == hash && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .Select(k => new Key(k.Id, k.ClientId, k.Scopes, k.LastUsedAt))
            .SingleOrDefault()));
}
