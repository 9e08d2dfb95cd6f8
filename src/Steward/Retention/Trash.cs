using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;

namespace Steward.Retention;

/// <summary>
/// The trash (G-44): a client's delete hides the contact from the client at once; support can restore it within
/// the client's restore window; after it, the contact is erased like any erasure. With a window of 0, delete means
/// erase. A data subject's erasure never comes here: it goes straight to <see cref="EraseContact"/>.
/// </summary>
public sealed class DeleteContact(StewardDb db, Terms terms, EraseContact erase, AuditLog audit, TimeProvider clock)
{
    public sealed record Response(Guid ContactId, DateTimeOffset DeletedAt, DateTimeOffset? RestorableUntil, bool Erased);

    public async Task<Result<Response>> HandleAsync(Guid clientId, Guid contactId, CancellationToken ct)
    {
        var days = (await terms.ForAsync(db, clientId, ct)).RestoreDays;
        if (days == 0)
        {
            var erased = await erase.HandleAsync(clientId, contactId, ct);
            if (!erased.IsSuccess) return erased.Error!;
            return new Response(contactId, erased.Value!.ErasedAt, null, true);
        }
        await using var write = await db.BeginWriteAsync(ct);
        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        var now = clock.GetUtcNow();
        contact.DeletedAt = now;
        await audit.RecordAsync(db, "DeleteContact", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(contactId, now, now.AddDays(days), false);
    }
}

/// <summary>Support brings a deleted contact back from the trash, inside the client's restore window (G-44).</summary>
public sealed class RestoreContact(StewardDb db, Terms terms, AuditLog audit, TimeProvider clock)
{
    public sealed record Response(Guid ContactId, DateTimeOffset RestoredAt);

    public async Task<Result<Response>> HandleAsync(Guid clientId, Guid contactId, CancellationToken ct)
    {
        var days = (await terms.ForAsync(db, clientId, ct)).RestoreDays;
        await using var write = await db.BeginWriteAsync(ct);
        var contact = await db.Contacts.IgnoreQueryFilters().SingleOrDefaultAsync(c => c.Id == contactId && c.ClientId == clientId && c.DeletedAt != null, ct);
        if (contact is null) return Errors.NotFound("deleted contact");
        var now = clock.GetUtcNow();
        if (now >= contact.DeletedAt!.Value.AddDays(days))
            return Errors.Gone($"The restore window of {days} days has ended: the contact is erased.");
        contact.DeletedAt = null;
        await audit.RecordAsync(db, "RestoreContact", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(contactId, now);
    }
}

/// <summary>The job's step: erases every contact whose restore window has ended (G-44), except those under a legal hold.</summary>
public sealed class EmptyTrash(StewardDb db, Terms terms, EraseContact erase, TimeProvider clock)
{
    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // a legal hold on the contact or its client keeps it in the trash until the hold is lifted (G-21)
        var trashed = await db.Contacts.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.DeletedAt != null && !db.LegalHolds.Any(h => h.ClientId == c.ClientId && h.LiftedAt == null && (h.ContactId == null || h.ContactId == c.Id)))
            .Select(c => new { c.Id, c.ClientId, DeletedAt = c.DeletedAt!.Value }).ToListAsync(ct);
        var erased = 0;
        foreach (var client in trashed.GroupBy(c => c.ClientId))
        {
            var days = (await terms.ForAsync(db, client.Key, ct)).RestoreDays;
            foreach (var contact in client.Where(c => now >= c.DeletedAt.AddDays(days)))
            {
                db.TenantId = client.Key;
                if ((await erase.HandleAsync(client.Key, contact.Id, ct)).IsSuccess) erased++;
            }
        }
        return erased;
    }
}

/// <summary>
/// The client's trash (G-44): its deleted contacts, each with the day its restore window ends and it is erased. A
/// restricted contact is listed with its values withheld, as in every list (Art. 18(2)).
/// </summary>
public sealed class ReadTrash(StewardDb db, KeyVault vault, Terms terms)
{
    public sealed record Item(ContactFields.View Contact, DateTimeOffset DeletedAt, DateTimeOffset ErasedFrom);

    public async Task<List<Item>> HandleAsync(Guid clientId, CancellationToken ct)
    {
        var days = (await terms.ForAsync(db, clientId, ct)).RestoreDays;
        var rows = await db.Contacts.IgnoreQueryFilters().AsNoTracking().Where(c => c.ClientId == clientId && c.DeletedAt != null)
            .OrderBy(c => c.DeletedAt).Take(500).ToListAsync(ct);
        var keys = await vault.OpenManyAsync(clientId, rows.Select(c => c.Id).ToList(), ct);
        try
        {
            return rows.Where(c => keys.ContainsKey(c.Id)).Select(c => new Item(
                c.RestrictedAt is null ? ContactFields.Open(c, keys[c.Id]) : ContactFields.Withheld(c), c.DeletedAt!.Value, c.DeletedAt.Value.AddDays(days))).ToList();
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }
}
