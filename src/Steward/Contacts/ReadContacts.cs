using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>
/// A client reads its contacts: one by id, by email or phone through the blind index (P-02), or a page of all,
/// in id order with an opaque cursor. Values are opened with each contact's own key.
/// </summary>
public sealed class ReadContacts(StewardDb db, KeyVault vault, BlindIndex index, RestrictedReads restricted)
{
    public const int MaxPageSize = 200;

    public sealed record Page(List<ContactFields.View> Items, string? NextCursor);

    /// <summary>One contact. A restricted one (Art. 18) is read only with a reason, which is recorded.</summary>
    public async Task<Result<ContactFields.View>> OneAsync(Guid clientId, Guid contactId, string? reason, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        if (await restricted.CheckAsync(contact, reason, "GetContact", ct) is { } refused) return refused;
        using var key = await vault.OpenAsync(clientId, contact.Id, ct);
        // a contact whose key is gone is erased: the rest of its erasure is a ledger replay away
        return key is null ? Errors.NotFound("contact") : ContactFields.Open(contact, key);
    }

    public async Task<Result<Page>> FindAsync(Guid clientId, string? email, string? phone, string? cursor, int? limit, CancellationToken ct)
    {
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize) return Errors.Invalid("limit", $"From 1 to {MaxPageSize}.");
        IQueryable<Contact> query = db.Contacts.AsNoTracking();
        if (email is not null && phone is null && cursor is null) return await ByEmailAsync(clientId, email, ct);
        if (email is not null)
        {
            var mac = await index.EmailAsync(clientId, email, ct);
            query = query.Where(c => c.EmailIndex == mac);
        }
        if (phone is not null)
        {
            var mac = await index.PhoneAsync(clientId, phone, ct);
            if (mac is null) return Errors.Invalid("phone", "Not a valid phone number.");
            query = query.Where(c => c.PhoneIndex == mac);
        }
        if (cursor is not null)
        {
            if (!Cursor.TryRead(cursor, out var after)) return Errors.Invalid("cursor", "Not a cursor this API gave.");
            query = query.Where(c => c.Id.CompareTo(after) > 0);
        }
        return await PageAsync(clientId, await query.OrderBy(c => c.Id).Take(size + 1).ToListAsync(ct), size, ct);
    }

    /// <summary>
    /// Finding a subject by email is the hot read (P-02, PERFORMANCE.md lookup-email). The blind index is unique per
    /// client, so at most one contact: one row fetched, its one key opened, no page to order or cut.
    /// </summary>
    private async Task<Result<Page>> ByEmailAsync(Guid clientId, string email, CancellationToken ct)
    {
        var contact = await ByEmail.For(db)(db, (await index.EmailAsync(clientId, email, ct))!, ct);
        if (contact is null) return new Page([], null);
        using var key = await vault.OpenAsync(clientId, contact.Id, ct);
        // as in a page: an erased contact (no key) is left out, a restricted one listed with its values withheld
        if (key is null) return new Page([], null);
        return new Page([contact.RestrictedAt is null ? ContactFields.Open(contact, key) : ContactFields.Withheld(contact)], null);
    }

    private static readonly CompiledQuery<Func<StewardDb, byte[], CancellationToken, Task<Contact?>>> ByEmail = new(() => EF.CompileAsyncQuery(
        (StewardDb db, byte[] mac, CancellationToken ct) => db.Contacts.AsNoTracking().FirstOrDefault(c => c.EmailIndex == mac)));

    /// <summary>Opens a page of contacts (one more than asked, to tell whether more follow) with their keys.</summary>
    private async Task<Result<Page>> PageAsync(Guid clientId, List<Contact> contacts, int size, CancellationToken ct)
    {
        var more = contacts.Count > size;
        if (more) contacts.RemoveAt(size);
        var keys = await vault.OpenManyAsync(clientId, contacts.Select(c => c.Id).ToList(), ct);
        try
        {
            // a restricted contact is listed, its values withheld: reading them takes a reason (Art. 18(2))
            var items = contacts.Where(c => keys.ContainsKey(c.Id))
                .Select(c => c.RestrictedAt is null ? ContactFields.Open(c, keys[c.Id]) : ContactFields.Withheld(c)).ToList();
            return new Page(items, more ? Cursor.Write(contacts[^1].Id) : null);
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }
}

/// <summary>An opaque pagination cursor: the last id of the page, base64url.</summary>
public static class Cursor
{
    public static string Write(Guid id) => Clients.SignUp.Base64Url(id.ToByteArray());

    public static bool TryRead(string cursor, out Guid id)
    {
        id = Guid.Empty;
        if (cursor.Length != 22) return false;
        try
        {
            id = new Guid(Convert.FromBase64String(cursor.Replace('-', '+').Replace('_', '/') + "=="));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
