using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Team;

/// <summary>
/// An owner or admin invites a person to the client's team with a role. The mailed link carries a 256-bit token of
/// which only the hash is kept; it expires (Steward:Access:InvitationLifetime) and works once. Only an owner may
/// invite an owner.
/// </summary>
public sealed class InviteClientUser(StewardDb db, KeyVault vault, BlindIndex index, Notifier notifier, AuditLog audit,
    IOptions<AccessOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Name, string? Email, string? Role);
    public sealed record Response(Guid Id, string Role, DateTimeOffset InvitationExpiresAt);

    public async Task<Result<Response>> HandleAsync(ClientCaller by, Guid clientId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200) problems.Add("name", "Give the person's name (at most 200 characters).");
        if (!SignUp.IsEmail(request.Email)) problems.Add("email", "Give a valid email address.");
        if (request.Role is null || !ClientRoles.All.Contains(request.Role)) problems.Add("role", $"One of: {string.Join(", ", ClientRoles.All)}.");
        if (problems.Any) return Errors.Invalid(problems);
        if (request.Role == ClientRoles.Owner && by.Role != ClientRoles.Owner) return Errors.Forbidden("Only an owner may invite an owner.");
        var emailIndex = (await index.EmailAsync(Guid.Empty, request.Email, ct))!;
        if (await db.ClientUsers.IgnoreQueryFilters().AnyAsync(u => u.EmailIndex == emailIndex, ct))
            return Errors.Conflict("An account with this email address already exists.");

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        using var key = await vault.CreateAsync(clientId, id, ct);
        var (token, hash) = Credentials.NewToken("stuinv_");
        var user = new ClientUser
        {
            Id = id,
            ClientId = clientId,
            Role = request.Role!,
            NameSealed = key.Seal("name", Encoding.UTF8.GetBytes(request.Name!.Trim())),
            EmailSealed = key.Seal("email", Encoding.UTF8.GetBytes(request.Email!.Trim())),
            EmailIndex = emailIndex,
            InvitationHash = hash,
            InvitationExpiresAt = now + options.Value.InvitationLifetime,
            InvitedBy = by.UserId,
            CreatedAt = now,
        };
        await using var write = await db.BeginWriteAsync(ct);
        db.ClientUsers.Add(user);
        var link = $"{options.Value.PublicUrl.TrimEnd('/')}/v1/client-users/invitations/accept?token={token}";
        await notifier.EnqueueAsync(db, new Notifier.Message("client-invitation", clientId, request.Email!.Trim(), "[Steward] You are invited to your team",
            $"""
            You were invited to a client team at Steward, with the role {user.Role}.

            Choose your password within {options.Value.InvitationLifetime.TotalDays:0} days (the link works once):
            POST {link} with {"{"}"password": "…"{"}"}
            (token: {token})

            If you did not expect this, ignore this message.
            """), ct);
        await audit.RecordAsync(db, "InviteClientUser", "user", id.ToString(), ct, clientId, status: 201);
        await write.CommitAsync(ct);
        return new Response(id, user.Role, user.InvitationExpiresAt.Value);
    }
}

/// <summary>The invited person chooses a password (ASVS V2.1, the common-password list); the link is spent.</summary>
public sealed class AcceptClientInvitation(StewardDb db, IPasswordHasher<ClientUser> hasher, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record Request(string? Token, string? Password);
    public sealed record Response(Guid UserId, Guid ClientId, string Role);

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        if (Credentials.PasswordProblem(request.Password) is { } problem) return Errors.Invalid("password", problem);
        if (request.Token is not { Length: < 200 }) return Errors.NotFound("invitation");
        var hash = Credentials.Hash(request.Token);
        await using var write = await db.BeginWriteAsync(ct);
        var user = await db.ClientUsers.IgnoreQueryFilters().SingleOrDefaultAsync(u => u.InvitationHash == hash && u.RemovedAt == null, ct);
        if (user is null || user.InvitationExpiresAt <= clock.GetUtcNow()) return Errors.NotFound("invitation");
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        user.InvitationHash = null;
        user.InvitationExpiresAt = null;
        actor.ActorType = "client-user";
        actor.ActorId = user.Id.ToString();
        await audit.RecordAsync(db, "AcceptClientInvitation", "user", user.Id.ToString(), ct, user.ClientId);
        await write.CommitAsync(ct);
        return new Response(user.Id, user.ClientId, user.Role);
    }
}
