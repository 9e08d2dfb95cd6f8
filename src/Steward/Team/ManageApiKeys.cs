using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Clients;
using Steward.Data;
using Steward.Http;

namespace Steward.Team;

/// <summary>
/// Owners and admins make API keys with scopes and an optional expiry, see them (never the secret again, with the
/// last-used time) and revoke them; a revoked key is refused on its next request.
/// </summary>
public sealed class ManageApiKeys(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record Request(string? Name, List<string>? Scopes, DateTimeOffset? ExpiresAt);
    public sealed record KeyView(Guid Id, string Name, string Prefix, List<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
        DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
    public sealed record Created(KeyView Key, string ApiKey);

    public async Task<Result<Created>> CreateAsync(ClientCaller by, Guid clientId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100) problems.Add("name", "Name the key (at most 100 characters).");
        if (request.Scopes is not { Count: > 0 }) problems.Add("scopes", $"Give at least one scope of: {string.Join(", ", ClientRoles.Scopes)}.");
        else if (request.Scopes.FirstOrDefault(s => !ClientRoles.Scopes.Contains(s)) is { } unknown)
            problems.Add("scopes", $"Unknown scope '{(unknown.Length > 40 ? unknown[..40] : unknown)}': one of {string.Join(", ", ClientRoles.Scopes)}.");
        if (request.ExpiresAt <= now) problems.Add("expiresAt", "The expiry must be in the future.");
        if (problems.Any) return Errors.Invalid(problems);

        var (key, secret) = SignUp.NewApiKey(clientId, request.Name!.Trim(), now);
        key.Scopes = string.Join(',', ClientRoles.Scopes.Where(request.Scopes!.Contains));
        key.ExpiresAt = request.ExpiresAt;
        key.CreatedBy = by.UserId;
        await using var write = await db.BeginWriteAsync(ct);
        db.ApiKeys.Add(key);
        await audit.RecordAsync(db, "CreateApiKey", "api-key", key.Id.ToString(), ct, clientId, status: 201);
        await write.CommitAsync(ct);
        return new Created(View(key), secret);
    }

    public async Task<List<KeyView>> ListAsync(CancellationToken ct) =>
        (await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct)).Select(View).ToList();

    public async Task<Result<KeyView>> RevokeAsync(ClientCaller by, Guid keyId, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId, ct);
        if (key is null) return Errors.NotFound("API key");
        if (key.RevokedAt is not null) return Errors.Conflict("The key is already revoked.");
        key.RevokedAt = clock.GetUtcNow();
        key.RevokedBy = by.UserId;
        await audit.RecordAsync(db, "RevokeApiKey", "api-key", key.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return View(key);
    }

    private static KeyView View(ApiKey k) =>
        new(k.Id, k.Name, k.Prefix, [.. k.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries)], k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt);
}
