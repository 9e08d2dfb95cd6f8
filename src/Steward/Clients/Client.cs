using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Clients;

/// <summary>A data controller: the tenant. Its name is a company name, not personal data.</summary>
public sealed class Client
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>active → cancelled (read-only, restorable) → purging → purged (the row stays as evidence, G-22). See <see cref="ClientLifecycle"/>.</summary>
    public string Status { get; set; } = ClientLifecycle.Active;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    /// <summary>When the grace window ends: from then on reactivation is refused and the purge job erases everything.</summary>
    public DateTimeOffset? PurgeDueAt { get; set; }
    public DateTimeOffset? PurgedAt { get; set; }
    /// <summary>The client's termination choice (Art. 28(3)(g)): "return" or "destroy"; null until it chooses.</summary>
    public string? TerminationChoice { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Client>(e =>
    {
        e.Property(c => c.Name).HasMaxLength(200);
        e.Property(c => c.Status).HasMaxLength(20);
        e.Property(c => c.TerminationChoice).HasMaxLength(20);
        e.HasIndex(c => new { c.Status, c.PurgeDueAt });
    });
}

/// <summary>
/// A person who signs in for a client: its team (owner, admin, member, read-only; <see cref="Team.ClientRoles"/>).
/// Name, email and TOTP secret are sealed under the user's own key; the email is found through the blind index.
/// </summary>
public sealed class ClientUser : ITenantOwned, Access.ISignInAccount
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Role { get; set; }
    [PersonalData] public required byte[] NameSealed { get; set; }
    [PersonalData] public required byte[] EmailSealed { get; set; }
    public required byte[] EmailIndex { get; set; }
    /// <summary>ASP.NET Core Identity's v3 format (PBKDF2-HMAC-SHA512), as for staff. Null until the invited person sets it.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>Optional two-factor: sealed once the user confirmed a first code; <see cref="TotpLastStep"/> refuses replays.</summary>
    [PersonalData] public byte[]? TotpSecretSealed { get; set; }
    [PersonalData] public byte[]? TotpPendingSealed { get; set; }
    public long? TotpLastStep { get; set; }
    public int FailedSignIns { get; set; }
    public int Lockouts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public byte[]? InvitationHash { get; set; }
    public DateTimeOffset? InvitationExpiresAt { get; set; }
    public Guid? InvitedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }
    public Guid? RemovedBy { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<ClientUser>(e =>
        {
            e.HasIndex(u => u.EmailIndex).IsUnique();
            e.HasIndex(u => u.InvitationHash).IsUnique();
            e.HasIndex(u => u.ClientId);
            e.Property(u => u.Role).HasMaxLength(20);
            e.Property(u => u.PasswordHash).HasMaxLength(200);
            e.Property(u => u.TotpLastStep).IsConcurrencyToken();
        });
        model.Entity<ClientSession>(e =>
        {
            e.HasIndex(s => s.TokenHash).IsUnique();
            e.HasIndex(s => s.UserId);
        });
        model.Entity<ClientRecoveryCode>(e => e.HasIndex(r => new { r.UserId, r.Hash }).IsUnique());
    }
}

/// <summary>A signed-in client user's session: only the SHA-256 of its 256-bit token is kept.</summary>
public sealed class ClientSession : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid UserId { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>A client user's one-time recovery code for a lost authenticator: hashed as staff codes are (<see cref="Access.Credentials.HashRecoveryCode"/>), used once.</summary>
public sealed class ClientRecoveryCode : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid UserId { get; set; }
    public required byte[] Hash { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// A client system's credential, with the scopes it may use (<see cref="Team.ClientRoles.Scopes"/>). Only its SHA-256
/// is stored; the key itself is shown once. Keys made before scopes existed hold every scope: the owner key.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required byte[] Hash { get; set; }
    /// <summary>Comma-separated scopes.</summary>
    public string Scopes { get; set; } = Team.ClientRoles.AllScopes;
    public DateTimeOffset CreatedAt { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ApiKey>(e =>
    {
        e.HasIndex(k => k.Hash).IsUnique();
        e.HasIndex(k => k.ClientId);
        e.Property(k => k.Name).HasMaxLength(100);
        e.Property(k => k.Prefix).HasMaxLength(20);
        e.Property(k => k.Scopes).HasMaxLength(200).HasDefaultValue(Team.ClientRoles.AllScopes);
    });
}
