using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>
/// A client corrects a contact (Art. 16): a merge patch, sealed again under the contact's key. What changed is kept
/// as field names, who and when — never the old values. A restricted contact (Art. 18) changes only through the
/// subject's own rectification request (<see cref="ApplyAsync"/> with <c>bySubjectRequest</c>).
/// </summary>
public sealed class RectifyContact(StewardDb db, KeyVault vault, BlindIndex index, AuditLog audit, TimeProvider clock)
{
    public sealed record Change(ContactFields.View Contact, List<string> Fields);

    public async Task<Result<ContactFields.View>> HandleAsync(Guid clientId, Guid contactId, JsonElement body, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var change = await ApplyAsync(clientId, contactId, body, bySubjectRequest: false, ct);
        if (!change.IsSuccess) return change.Error!;
        await audit.RecordAsync(db, "RectifyContact", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return change.Value!.Contact;
    }

    /// <summary>Checks and applies a patch inside the caller's write scope; the caller records the audit event and commits.</summary>
    public async Task<Result<Change>> ApplyAsync(Guid clientId, Guid contactId, JsonElement body, bool bySubjectRequest, CancellationToken ct)
    {
        var declared = await DeclareFields.DeclaredAsync(db, ct);
        var problems = new Problems();
        var values = ContactFields.Parse(body, declared, problems);
        if (problems.Any) return Errors.Invalid(problems);

        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        if (Restriction.Check(contact, bySubjectRequest ? Restriction.Use.SubjectRight : Restriction.Use.Change) is { } refused) return refused;
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
        var fields = values.Standard.Keys.Concat(values.Custom.Keys.Select(k => "custom." + k)).Order(StringComparer.Ordinal).ToList();
        return new Change(ContactFields.Open(contact, key), fields);
    }
}
