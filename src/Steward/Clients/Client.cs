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

/// <summary>A person who signs in for a client (its owner, later its team). Personal data sealed under the user's own key.</summary>
public sealed class ClientUser : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Role { get; set; }
    [PersonalData] public required byte[] NameSealed { get; set; }
    [PersonalData] public required byte[] EmailSealed { get; set; }
    public required byte[] EmailIndex { get; set; }
    public required string PasswordHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ClientUser>(e =>
    {
        e.HasIndex(u => u.EmailIndex).IsUnique();
        e.HasIndex(u => u.ClientId);
        e.Property(u => u.Role).HasMaxLength(20);
    });
}

/// <summary>A client system's credential. Only its SHA-256 is stored; the key itself is shown once.</summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required byte[] Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<ApiKey>(e =>
    {
        e.HasIndex(k => k.Hash).IsUnique();
        e.HasIndex(k => k.ClientId);
        e.Property(k => k.Name).HasMaxLength(100);
        e.Property(k => k.Prefix).HasMaxLength(20);
    });
}
