using Microsoft.EntityFrameworkCore;
using Steward.Crypto;

namespace Steward.Access;

/// <summary>
/// A person at the processor. Name, email and TOTP secret are sealed under the person's own key (client
/// <see cref="Guid.Empty"/>, subject = the staff id); the email is found through the blind index.
/// </summary>
public sealed class StaffMember : ISignInAccount
{
    public Guid Id { get; set; }
    public required string Role { get; set; }
    /// <summary>The lead product manager: may change or remove personal data in third-party tools (P-14).</summary>
    public bool LeadPm { get; set; }
    [PersonalData] public required byte[] NameSealed { get; set; }
    [PersonalData] public required byte[] EmailSealed { get; set; }
    public required byte[] EmailIndex { get; set; }
    /// <summary>ASP.NET Core Identity's v3 format: PBKDF2-HMAC-SHA512, salt and iteration count inside. Null until invited person sets it.</summary>
    public string? PasswordHash { get; set; }
    [PersonalData] public byte[]? TotpSecretSealed { get; set; }
    /// <summary>The last TOTP time step accepted: a code of this step or before is never accepted again.</summary>
    public long? TotpLastStep { get; set; }
    public int FailedSignIns { get; set; }
    /// <summary>How many times the account was locked since its last good sign-in: each lockout lasts twice the last.</summary>
    public int Lockouts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public byte[]? InvitationHash { get; set; }
    public DateTimeOffset? InvitationExpiresAt { get; set; }
    /// <summary>G-08 (ii), P-17: training on the applicable law and data handling finished.</summary>
    public DateTimeOffset? TrainingCompletedAt { get; set; }
    /// <summary>G-08 (i): informed that the data are confidential, undertaking signed.</summary>
    public DateTimeOffset? ConfidentialityUndertakenAt { get; set; }
    /// <summary>G-08 (iii): knows the processor's duties under the DPA.</summary>
    public DateTimeOffset? DpaDutiesBriefedAt { get; set; }
    /// <summary>P-32, G-22: "employee" or "contractor" (a repair technician, a freelancer): both are bound the same way.</summary>
    public string Engagement { get; set; } = Engagements.Employee;
    /// <summary>G-39: the version of the internal guidelines the person acknowledged, and when.</summary>
    public string? GuidelinesVersion { get; set; }
    public DateTimeOffset? GuidelinesAcknowledgedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
    public Guid? DisabledBy { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<StaffMember>(e =>
        {
            e.HasIndex(s => s.EmailIndex).IsUnique();
            e.HasIndex(s => s.InvitationHash).IsUnique();
            e.Property(s => s.Role).HasMaxLength(40);
            e.Property(s => s.PasswordHash).HasMaxLength(200);
            e.Property(s => s.Engagement).HasMaxLength(20).HasDefaultValue(Engagements.Employee); // people added before P-32 was recorded
            e.Property(s => s.GuidelinesVersion).HasMaxLength(50);
            e.Property(s => s.TotpLastStep).IsConcurrencyToken();
        });
        model.Entity<StaffSession>(e =>
        {
            e.HasIndex(s => s.TokenHash).IsUnique();
            e.HasIndex(s => s.StaffId);
            e.Property(s => s.Channel).HasMaxLength(20);
        });
        model.Entity<RecoveryCode>(e => e.HasIndex(r => new { r.StaffId, r.Hash }).IsUnique());
        model.Entity<AccessGrant>(e =>
        {
            e.HasIndex(g => new { g.StaffId, g.ClientId });
            e.HasIndex(g => g.ClientId);
            e.Property(g => g.Rights).HasMaxLength(100);
            e.Property(g => g.Purpose).HasMaxLength(500);
        });
        model.Entity<ActionApproval>(e =>
        {
            e.HasIndex(a => a.StaffId);
            e.Property(a => a.Purpose).HasMaxLength(500);
            e.Property(a => a.Action).HasMaxLength(100);
            e.Property(a => a.Target).HasMaxLength(200);
        });
        model.Entity<SetupLink>(e => e.HasIndex(l => l.Hash).IsUnique());
    }
}

public static class Engagements
{
    public const string Employee = "employee";
    public const string Contractor = "contractor";

    public static readonly string[] All = [Employee, Contractor];
}

/// <summary>A signed-in staff session: only the SHA-256 of its 256-bit token is kept.</summary>
public sealed class StaffSession
{
    public Guid Id { get; set; }
    public Guid StaffId { get; set; }
    public required byte[] TokenHash { get; set; }
    public string Channel { get; set; } = "api";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>A one-time recovery code for a lost authenticator: hashed, used once.</summary>
public sealed class RecoveryCode
{
    public Guid Id { get; set; }
    public Guid StaffId { get; set; }
    public required byte[] Hash { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// Access of one staff member to personal data of one client (or of all clients: <see cref="ClientId"/> null), for
/// a purpose, with rights. It takes effect only once approved by a CEO and a DPO, two different people (P-16),
/// and only for a person with the onboarding records of G-08 / P-17.
/// </summary>
public sealed class AccessGrant : IDualApproval
{
    public Guid Id { get; set; }
    public Guid StaffId { get; set; }
    public Guid? ClientId { get; set; }
    /// <summary>Comma-separated <see cref="Access.Rights"/>.</summary>
    public required string Rights { get; set; }
    /// <summary>Operational or technical purpose (G-40). Not personal data.</summary>
    public required string Purpose { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public Guid RequestedBy { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public Guid? CeoApprovedBy { get; set; }
    public DateTimeOffset? CeoApprovedAt { get; set; }
    public Guid? DpoApprovedBy { get; set; }
    public DateTimeOffset? DpoApprovedAt { get; set; }
    public DateTimeOffset? ActiveFrom { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }
    public DateTimeOffset? NextReviewAt { get; set; }
    public DateTimeOffset? ReviewRemindedAt { get; set; }

    public IEnumerable<string> RightList => Rights.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public string Status(DateTimeOffset now) =>
        RevokedAt is not null ? "revoked" : ExpiresAt <= now ? "expired" : ActiveFrom is not null ? "active" : "pending";
}

/// <summary>
/// A DPO's approval of one modifying or removing action of a system administrator on one client (P-14): bound to the
/// route (its endpoint name) and its target (the route's values besides the client, e.g. the contact id), used once.
/// </summary>
public sealed class ActionApproval
{
    public Guid Id { get; set; }
    public Guid StaffId { get; set; }
    public Guid ClientId { get; set; }
    /// <summary>The endpoint name of the approved action, e.g. EraseContact.</summary>
    public string Action { get; set; } = "";
    /// <summary>What it acts on (<see cref="StaffClientAccess.Target"/>); null for a route on the client itself.</summary>
    public string? Target { get; set; }
    public required string Purpose { get; set; }
    public Guid ApprovedBy { get; set; }
    public DateTimeOffset ApprovedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>The one-time link that creates the first CEO and DPO of a fresh deployment.</summary>
public sealed class SetupLink
{
    public Guid Id { get; set; }
    public required byte[] Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}
