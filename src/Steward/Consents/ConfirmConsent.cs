using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Widgets;

namespace Steward.Consents;

/// <summary>
/// A suppressed subject confirms, through the link mailed to its address, the marketing consents it gave again in a
/// widget: each becomes a consent event of its own (method <c>confirmed-link</c>, with the IP and user agent of the
/// confirmation), and the subject leaves the suppression list. Without this step no marketing consent is recorded.
/// </summary>
public sealed class ConfirmConsent(StewardDb db, KeyVault vault, ResubscribeLinks links, WithdrawalLinks withdrawals, ConsentReceipts receiptLinks, AuditLog audit,
    AuditContext actor, TimeProvider clock)
{
    public sealed record Response(List<SubmitWidget.ConsentReceipt> Consents);

    public async Task<Result<Response>> HandleAsync(string? token, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var claim = await links.ReadAsync(token, ct);
        if (claim is null) return Errors.NotFound("confirmation link");
        db.TenantId = claim.ClientId;
        actor.ActorType = "public";
        actor.ClientId = claim.ClientId;
        var now = clock.GetUtcNow();
        if (now >= claim.ExpiresAt) return Errors.Gone("This link has expired: submit the form again for a new one.");

        await using var write = await db.BeginWriteAsync(ct);
        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == claim.ContactId, ct);
        using var key = contact is null ? null : await vault.OpenAsync(claim.ClientId, contact.Id, ct);
        if (contact is null || key is null) return Errors.Gone("The subject's data were erased.");
        if (Restriction.Check(contact, Restriction.Use.WidgetUpdate) is { } refused) return refused;
        var version = await db.WidgetVersions.AsNoTracking().SingleOrDefaultAsync(v => v.WidgetId == claim.WidgetId && v.Version == claim.WidgetVersion, ct);
        if (version is null) return Errors.Gone("The form was removed.");

        var receipts = new List<SubmitWidget.ConsentReceipt>();
        foreach (var purpose in DefineWidget.Purposes(version).Where(p => claim.Purposes.Contains(p.Key)))
        {
            var last = await db.ConsentEvents.Where(e => e.ContactId == contact.Id && e.Purpose == purpose.Key)
                .OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Select(e => e.Kind).FirstOrDefaultAsync(ct);
            if (last == ConsentEvent.Given) continue; // confirmed already: the link works once in effect
            var consent = new ConsentEvent
            {
                Id = Guid.CreateVersion7(),
                ClientId = claim.ClientId,
                ContactId = contact.Id,
                Purpose = purpose.Key,
                Kind = ConsentEvent.Given,
                Method = "confirmed-link",
                WidgetId = claim.WidgetId,
                WidgetVersion = claim.WidgetVersion,
                TextSha256 = purpose.TextSha256,
                At = now,
                IpAddressSealed = key.Seal("consent.ip", ipAddress),
                UserAgentSealed = key.Seal("consent.userAgent", userAgent),
            };
            db.ConsentEvents.Add(consent);
            receipts.Add(await SubmitWidget.ReceiptAsync(withdrawals, receiptLinks, consent, ct));
        }
        // a fresh explicit consent ends the objection's suppression for this subject
        var (email, phone) = (contact.EmailIndex, contact.PhoneIndex);
        db.Suppressions.RemoveRange(await db.Suppressions.Where(s => (email != null && s.Kind == Suppression.Email && s.Index == email)
            || (phone != null && s.Kind == Suppression.Phone && s.Index == phone)).ToListAsync(ct));
        await audit.RecordAsync(db, "ConfirmConsent", "contact", contact.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(receipts);
    }
}
