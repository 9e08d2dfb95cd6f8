using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>
/// A restriction of processing (Art. 18) on one contact: from <see cref="StartedAt"/> the contact is storage-only
/// until it is lifted, and the subject is told before it is (Art. 18(3)). <see cref="Contact.RestrictedAt"/> mirrors
/// the open one, so that every path checks one column through <see cref="Restriction.Check"/>.
/// </summary>
public sealed class ContactRestriction : ITenantOwned
{
    /// <summary>The grounds of Art. 18(1)(a)–(d), and a subject's request that names none.</summary>
    public static readonly IReadOnlyList<string> Grounds = ["accuracy-contested", "unlawful-processing", "legal-claims", "objection-pending", "subject-request"];

    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid ContactId { get; set; }
    /// <summary>The subject request that asked for it, if one did.</summary>
    public Guid? RequestId { get; set; }
    public required string Ground { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>When the subject was told that the restriction will be lifted, and from when it may be.</summary>
    public DateTimeOffset? LiftNoticeAt { get; set; }
    public DateTimeOffset? LiftableAt { get; set; }
    public DateTimeOffset? LiftedAt { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<ContactRestriction>(e =>
        {
            e.HasIndex(r => new { r.ClientId, r.ContactId });
            e.Property(r => r.Ground).HasMaxLength(40);
        });
        model.Entity<RestrictedRead>(e => e.HasIndex(r => new { r.ClientId, r.ContactId }));
    }
}

/// <summary>A read of a restricted contact, with the reason the reader gave (sealed under the contact's key).</summary>
public sealed class RestrictedRead : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public Guid ContactId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string ActorType { get; set; }
    public string? ActorId { get; set; }
    public required string Action { get; set; }
    [PersonalData] public required byte[] ReasonSealed { get; set; }
}

/// <summary>
/// The one check every processing path makes on a contact (Art. 18(2)): a restricted contact is stored, and
/// nothing else — no widget update, no change but the subject's own rectification, no export to recipients, no
/// marketing; it is read only with a recorded reason (<see cref="RestrictedReads"/>).
/// </summary>
public static class Restriction
{
    public enum Use { Storage, Read, Change, WidgetUpdate, RecipientExport, Marketing, SubjectRight }

    public static Error? Check(Contact contact, Use use) => contact.RestrictedAt is null || use is Use.Storage or Use.SubjectRight ? null : use switch
    {
        Use.Read => Errors.Forbidden("This contact's processing is restricted (Art. 18): give the reason for reading it in the X-Access-Reason header; the reason is recorded."),
        Use.Change => Errors.Conflict("This contact's processing is restricted (Art. 18): it changes only through the subject's own rectification request, or once the restriction is lifted."),
        Use.WidgetUpdate => Errors.Conflict("The data held about this subject are restricted (Art. 18): nothing can be added or changed until the restriction is lifted."),
        _ => Errors.Conflict("This contact's processing is restricted (Art. 18): it is stored, and not processed otherwise."),
    };
}

/// <summary>Reads of restricted contacts: refused without a reason, recorded with one.</summary>
public sealed class RestrictedReads(StewardDb db, KeyVault vault, AuditContext actor, TimeProvider clock)
{
    public const string Header = "X-Access-Reason";

    /// <summary>Null when the read may go on (not restricted, or restricted and the reason is now recorded).</summary>
    public async Task<Error?> CheckAsync(Contact contact, string? reason, string action, CancellationToken ct)
    {
        if (Restriction.Check(contact, Restriction.Use.Read) is not { } refused) return null;
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason)) return refused;
        if (reason.Length > 500) return Errors.Invalid(Header, "At most 500 characters.");
        using var key = await vault.OpenAsync(contact.ClientId, contact.Id, ct);
        if (key is null) return Errors.NotFound("contact");
        await using var write = await db.BeginWriteAsync(ct);
        db.RestrictedReads.Add(new RestrictedRead
        {
            Id = Guid.CreateVersion7(),
            ClientId = contact.ClientId,
            ContactId = contact.Id,
            At = clock.GetUtcNow(),
            ActorType = actor.ActorType,
            ActorId = actor.ActorId,
            Action = action,
            ReasonSealed = key.Seal("restrictedRead.reason", reason)!,
        });
        await write.CommitAsync(ct);
        return null;
    }
}
