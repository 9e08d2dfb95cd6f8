using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Team;

/// <summary>
/// Owners and admins see the team, change roles and remove people. Only an owner grants, takes or removes the owner
/// role, and the client always keeps at least one owner who can sign in. A removed person's sessions end in the same
/// transaction; authentication reads them on every request, so the next request is refused.
/// </summary>
public sealed class ManageTeam(StewardDb db, KeyVault vault, AuditLog audit, TimeProvider clock)
{
    public sealed record Member(Guid Id, string Name, string Email, string Role, string Status, bool TwoFactor, DateTimeOffset CreatedAt);
    public sealed record ChangeRole(string? Role);
    public sealed record Changed(Guid Id, string Role, string Status);

    public async Task<List<Member>> ListAsync(Guid clientId, CancellationToken ct)
    {
        var users = await db.ClientUsers.AsNoTracking().Where(u => u.RemovedAt == null).OrderBy(u => u.CreatedAt).ToListAsync(ct);
        var keys = await vault.OpenManyAsync(clientId, users.Select(u => u.Id).ToList(), ct);
        try
        {
            return users.Where(u => keys.ContainsKey(u.Id)).Select(u => new Member(u.Id, keys[u.Id].OpenString("name", u.NameSealed)!,
                keys[u.Id].OpenString("email", u.EmailSealed)!, u.Role, Status(u), u.TotpSecretSealed is not null, u.CreatedAt)).ToList();
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }

    public async Task<Result<Changed>> ChangeRoleAsync(ClientCaller by, Guid userId, ChangeRole request, CancellationToken ct)
    {
        if (request.Role is null || !ClientRoles.All.Contains(request.Role)) return Errors.Invalid("role", $"One of: {string.Join(", ", ClientRoles.All)}.");
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.SingleOrDefaultAsync(u => u.Id == userId && u.RemovedAt == null, ct);
        if (user is null) return Errors.NotFound("user");
        if ((user.Role == ClientRoles.Owner || request.Role == ClientRoles.Owner) && by.Role != ClientRoles.Owner)
            return Errors.Forbidden("Only an owner may grant or take the owner role.");
        if (user.Role == ClientRoles.Owner && request.Role != ClientRoles.Owner && await IsLastOwnerAsync(user, ct))
            return Errors.Conflict("The client must keep at least one owner: make someone else owner first.");
        user.Role = request.Role;
        await audit.RecordAsync(db, "ChangeClientUserRole", "user", user.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Changed(user.Id, user.Role, Status(user));
    }

    public async Task<Result<Changed>> RemoveAsync(ClientCaller by, Guid userId, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.SingleOrDefaultAsync(u => u.Id == userId && u.RemovedAt == null, ct);
        if (user is null) return Errors.NotFound("user");
        if (user.Role == ClientRoles.Owner && by.Role != ClientRoles.Owner) return Errors.Forbidden("Only an owner may remove an owner.");
        if (user.Role == ClientRoles.Owner && await IsLastOwnerAsync(user, ct))
            return Errors.Conflict("The client must keep at least one owner: make someone else owner first.");
        var now = clock.GetUtcNow();
        user.RemovedAt = now;
        user.RemovedBy = by.UserId;
        user.PasswordHash = null;
        user.InvitationHash = null;
        // frees the address for a later invitation; the sealed name and email stay as evidence of who was in the team
        user.EmailIndex = RandomNumberGenerator.GetBytes(32);
        await db.ClientSessions.Where(s => s.UserId == user.Id && s.EndedAt == null).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
        await audit.RecordAsync(db, "RemoveClientUser", "user", user.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Changed(user.Id, user.Role, Status(user));
    }

    private Task<bool> IsLastOwnerAsync(ClientUser owner, CancellationToken ct) =>
        db.ClientUsers.AllAsync(u => u.Id == owner.Id || u.Role != ClientRoles.Owner || u.RemovedAt != null || u.PasswordHash == null, ct);

    private static string Status(ClientUser u) => u.RemovedAt is not null ? "removed" : u.PasswordHash is null ? "invited" : "active";
}
