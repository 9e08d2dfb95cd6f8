using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>A client corrects a contact (Art. 16): a merge patch, sealed again under the contact's key.</summary>
public sealed class RectifyContact(StewardDb db, KeyVault vault, BlindIndex index, AuditLog audit, TimeProvider clock)
{
    public async Task<Result<ContactFields.View>> HandleAsync(Guid clientId, Guid contactId, JsonElement body, CancellationToken ct)
    {
        var declared = await DeclareFields.DeclaredAsync(db, ct);
        var problems = new Problems();
        var values = ContactFields.Parse(body, declared, problems);
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        using var key = await vault.OpenAsync(clientId, contactId, ct);
        if (key is null) return Errors.NotFound("contact");

        var custom = ContactFields.Merge(ContactFields.OpenCustom(contact, key), values);
        if (values.Custom.Count > 0) ContactFields.CheckRequired(custom, declared.Values.Where(f => values.Custom.ContainsKey(f.Name)), problems);
        if (problems.Any) return Errors.Invalid(problems);

        await ContactFields.ApplyAsync(contact, key, values, custom, index, ct);
        if (contact.EmailIndex is { } mac && values.Standard.ContainsKey("email")
            && await db.Contacts.AnyAsync(c => c.EmailIndex == mac && c.Id != contactId, ct))
            return Errors.Conflict("Another contact has this email address.");
        contact.UpdatedAt = clock.GetUtcNow();
        await audit.RecordAsync(db, "RectifyContact", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return ContactFields.Open(contact, key);
    }
}
