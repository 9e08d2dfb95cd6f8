using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Requests;

/// <summary>
/// Lifting a restriction (Art. 18(3)): the subject is told first, and the restriction may be lifted only once the
/// notice period has passed since. Two steps, each an audit event: the notice, then the lift.
/// </summary>
public sealed class LiftRestriction(StewardDb db, KeyVault vault, Notifier notifier, AuditLog audit, IOptions<RequestOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Reason);
    public sealed record Response(Guid ContactId, DateTimeOffset RestrictedSince, DateTimeOffset? NoticeSentAt, DateTimeOffset? LiftableAt,
        DateTimeOffset? LiftedAt, bool SubjectTold);

    /// <summary>Tells the subject the restriction will be lifted, and when; the lift is possible from then.</summary>
    public async Task<Result<Response>> NoticeAsync(Guid clientId, Guid contactId, Request request, CancellationToken ct)
    {
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 2000) return Errors.Invalid("reason", "Why the restriction ends, as the subject will read it (1 to 2000 characters).");
        await using var write = await db.BeginWriteAsync(ct);
        var (contact, restriction) = await OpenAsync(contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        if (restriction is null) return Errors.Conflict("This contact's processing is not restricted.");
        var now = clock.GetUtcNow();
        restriction.LiftNoticeAt = now;
        restriction.LiftableAt = now.AddHours(options.Value.RestrictionLiftNoticeHours);
        var email = await SubjectEmailAsync(clientId, contact!, restriction, ct);
        if (email is not null)
            await notifier.EnqueueAsync(db, new Notifier.Message("restriction-lift-notice", clientId, email, "The restriction on your data will be lifted",
                $"""
                The restriction of processing of your personal data will be lifted on {restriction.LiftableAt:d MMMM yyyy, HH:mm} UTC at the earliest.
                Reason: {reason}
                If you disagree, answer the company before then. You may also lodge a complaint with a supervisory authority (Art. 77).
                """), ct);
        await audit.RecordAsync(db, "NoticeRestrictionLift", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return ToResponse(restriction, email is not null);
    }

    public async Task<Result<Response>> LiftAsync(Guid clientId, Guid contactId, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var (contact, restriction) = await OpenAsync(contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        if (restriction is null) return Errors.Conflict("This contact's processing is not restricted.");
        var now = clock.GetUtcNow();
        if (restriction.LiftableAt is not { } liftable)
            return Errors.Conflict("Tell the subject first (Art. 18(3)): POST …/restriction/lift-notice; the restriction can be lifted once the notice period has passed.");
        if (now < liftable) return Errors.Conflict($"The subject was told on {restriction.LiftNoticeAt:u}; the restriction can be lifted from {liftable:u}.");
        restriction.LiftedAt = now;
        contact!.RestrictedAt = null;
        contact.UpdatedAt = now;
        await audit.RecordAsync(db, "LiftRestriction", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return ToResponse(restriction, true);
    }

    /// <summary>The contact's open restriction (its ground, since when, and how far lifting it has come), null when it is not restricted.</summary>
    public Task<ContactRestriction?> CurrentAsync(Guid contactId, CancellationToken ct) =>
        db.ContactRestrictions.AsNoTracking().Where(r => r.ContactId == contactId && r.LiftedAt == null).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);

    private async Task<(Contact?, ContactRestriction?)> OpenAsync(Guid contactId, CancellationToken ct)
    {
        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact?.RestrictedAt is null) return (contact, null);
        var restriction = await db.ContactRestrictions.Where(r => r.ContactId == contactId && r.LiftedAt == null).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);
        return (contact, restriction);
    }

    /// <summary>The contact's address, else the first one on the request that asked for the restriction.</summary>
    private async Task<string?> SubjectEmailAsync(Guid clientId, Contact contact, ContactRestriction restriction, CancellationToken ct)
    {
        using (var key = await vault.OpenAsync(clientId, contact.Id, ct))
            if (key?.OpenString("email", contact.EmailSealed) is { } email) return email;
        if (restriction.RequestId is not { } requestId) return null;
        var r = await db.SubjectRequests.AsNoTracking().SingleOrDefaultAsync(x => x.Id == requestId, ct);
        if (r is null) return null;
        using var requestKey = await vault.OpenAsync(clientId, r.Id, ct);
        return requestKey is null ? null : ReadRequests.OpenIdentities(r, requestKey).Emails.FirstOrDefault();
    }

    private static Response ToResponse(ContactRestriction r, bool told) =>
        new(r.ContactId, r.StartedAt, r.LiftNoticeAt, r.LiftableAt, r.LiftedAt, told);
}
