using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Access;

/// <summary>
/// P-24: an admin or infrastructure credential (database superuser, cloud root, SSH key, …), who holds it, when it was
/// issued, rotated, revoked and last reviewed. A copy of the secret, if kept, is sealed under the credential's own key.
/// </summary>
public sealed class PrivilegedCredential
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    /// <summary>The staff member who holds it; null for a break-glass credential kept only here.</summary>
    public Guid? HolderStaffId { get; set; }
    /// <summary>Not personal data but a secret: sealed and never logged alike.</summary>
    [PersonalData] public byte[]? SecretSealed { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public Guid IssuedBy { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public Guid? ReviewedBy { get; set; }
    public DateTimeOffset? RevealedAt { get; set; }
    public Guid? RevealedBy { get; set; }
    /// <summary>Set by a reveal (break-glass): the secret is to be rotated after use; cleared by the rotation.</summary>
    public bool RotationDue { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<PrivilegedCredential>(e =>
    {
        e.Property(c => c.Name).HasMaxLength(100);
        e.Property(c => c.Kind).HasMaxLength(40);
    });
}

/// <summary>Marks a route whose refusal alerts the CEO and the DPO (a privileged-credential reveal by anyone else, P-24).</summary>
public sealed record RefusalAlertMetadata(string What);

/// <summary>
/// The register of privileged credentials (P-24), for the CEO and the DPO only (<see cref="Permissions.PrivilegedCredentials"/>).
/// Every change is an audit event. Revealing a kept secret is logged, marks it for rotation, and alerts every other
/// CEO and DPO; an attempt by anyone else is refused and alerts them all.
/// </summary>
public sealed class CredentialRegister(StewardDb db, KeyVault vault, Notifier notifier, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record Request(string? Name, string? Kind, Guid? HolderStaffId, string? Secret);
    public sealed record Rotation(string? Secret);
    public sealed record View(Guid Id, string Name, string Kind, Guid? HolderStaffId, bool SecretKept, DateTimeOffset IssuedAt, Guid IssuedBy,
        DateTimeOffset? RotatedAt, DateTimeOffset? ReviewedAt, Guid? ReviewedBy, DateTimeOffset? RevealedAt, Guid? RevealedBy, bool RotationDue,
        DateTimeOffset? RevokedAt, string Status);
    public sealed record Revealed(Guid Id, string Name, string Secret);

    public async Task<List<View>> ListAsync(CancellationToken ct) =>
        (await db.PrivilegedCredentials.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct)).Select(ToView).ToList();

    public async Task<Result<View>> IssueAsync(StaffPrincipal by, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100) problems.Add("name", "Name the credential (at most 100 characters).");
        if (string.IsNullOrWhiteSpace(request.Kind) || request.Kind.Length > 40) problems.Add("kind", "Give its kind, e.g. database, cloud-console, ssh (at most 40 characters).");
        if (request.Secret is { Length: 0 or > 4096 }) problems.Add("secret", "Between 1 and 4096 characters, or leave it out.");
        if (problems.Any) return Errors.Invalid(problems);
        if (request.HolderStaffId is { } holder && !await db.StaffMembers.AnyAsync(s => s.Id == holder && s.DisabledAt == null, ct))
            return Errors.Invalid("holderStaffId", "No active staff member has this id.");
        var credential = new PrivilegedCredential
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name!.Trim(),
            Kind = request.Kind!.Trim(),
            HolderStaffId = request.HolderStaffId,
            IssuedAt = clock.GetUtcNow(),
            IssuedBy = by.StaffId,
        };
        await using var write = await db.BeginWriteAsync(ct);
        if (request.Secret is not null) credential.SecretSealed = await SealAsync(credential.Id, request.Secret, ct);
        db.PrivilegedCredentials.Add(credential);
        await audit.RecordAsync(db, "IssuePrivilegedCredential", "credential", credential.Id.ToString(), ct, status: 201);
        await write.CommitAsync(ct);
        return ToView(credential);
    }

    public Task<Result<View>> RotateAsync(StaffPrincipal by, Guid id, Rotation request, CancellationToken ct) =>
        request.Secret is { Length: 0 or > 4096 } ? Task.FromResult<Result<View>>(Errors.Invalid("secret", "Between 1 and 4096 characters, or leave it out."))
            : ChangeAsync(id, "RotatePrivilegedCredential", async c =>
            {
                c.RotatedAt = clock.GetUtcNow();
                c.RotationDue = false;
                c.SecretSealed = request.Secret is null ? null : await SealAsync(c.Id, request.Secret, ct);
            }, ct);

    public Task<Result<View>> ReviewAsync(StaffPrincipal by, Guid id, CancellationToken ct) =>
        ChangeAsync(id, "ReviewPrivilegedCredential", c =>
        {
            c.ReviewedAt = clock.GetUtcNow();
            c.ReviewedBy = by.StaffId;
            return Task.CompletedTask;
        }, ct);

    public Task<Result<View>> RevokeAsync(StaffPrincipal by, Guid id, CancellationToken ct) =>
        ChangeAsync(id, "RevokePrivilegedCredential", async c =>
        {
            c.RevokedAt = clock.GetUtcNow();
            c.RevokedBy = by.StaffId;
            c.SecretSealed = null;
            await vault.DestroyAsync(Guid.Empty, [c.Id], ct);
        }, ct);

    public async Task<Result<Revealed>> RevealAsync(StaffPrincipal by, Guid id, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var credential = await db.PrivilegedCredentials.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null) return Errors.NotFound("credential");
        if (credential.RevokedAt is not null || credential.SecretSealed is null) return Errors.Conflict("No secret of this credential is kept here.");
        using var key = await vault.OpenAsync(Guid.Empty, credential.Id, ct) ?? throw new InvalidOperationException("The credential's key is missing.");
        var secret = key.OpenString("secret", credential.SecretSealed)!;
        credential.RevealedAt = clock.GetUtcNow();
        credential.RevealedBy = by.StaffId;
        credential.RotationDue = true;
        await AlertAsync($"{by.Role} {by.StaffId} revealed the privileged credential '{credential.Name}' ({credential.Id}). Rotate it after use.", by.StaffId, ct);
        await audit.RecordAsync(db, "RevealPrivilegedCredential", "credential", credential.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Revealed(credential.Id, credential.Name, secret);
    }

    /// <summary>A reveal refused by the permission check: every CEO and DPO hears of it (in its own unit of work).</summary>
    public async Task AlertRefusedAsync(HttpContext http, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        await AlertAsync($"{actor.ActorType} {actor.ActorId ?? "(unknown)"} tried to reveal a privileged credential ({http.Request.Path}) and was refused.", null, ct);
        await write.CommitAsync(ct);
    }

    private async Task AlertAsync(string what, Guid? except, CancellationToken ct)
    {
        var body = $"""
            {what}

            When: {clock.GetUtcNow().ToString("u", CultureInfo.InvariantCulture)}
            The audit trail has the event.
            """;
        foreach (var to in await new StaffDirectory(db, vault).GovernanceEmailsAsync(ct, except))
            await notifier.EnqueueAsync(db, new Notifier.Message("credential-alert", null, to, "[Steward] Privileged credential access", body), ct);
    }

    private async Task<Result<View>> ChangeAsync(Guid id, string action, Func<PrivilegedCredential, Task> change, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var credential = await db.PrivilegedCredentials.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null) return Errors.NotFound("credential");
        if (credential.RevokedAt is not null) return Errors.Conflict("The credential is revoked.");
        await change(credential);
        await audit.RecordAsync(db, action, "credential", credential.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return ToView(credential);
    }

    private async Task<byte[]> SealAsync(Guid id, string secret, CancellationToken ct)
    {
        using var key = await vault.OpenOrCreateAsync(Guid.Empty, id, ct);
        return key.Seal("secret", secret)!;
    }

    private static View ToView(PrivilegedCredential c) => new(c.Id, c.Name, c.Kind, c.HolderStaffId, c.SecretSealed is not null, c.IssuedAt, c.IssuedBy,
        c.RotatedAt, c.ReviewedAt, c.ReviewedBy, c.RevealedAt, c.RevealedBy, c.RotationDue, c.RevokedAt,
        c.RevokedAt is not null ? "revoked" : c.RotationDue ? "rotation-due" : "active");
}
