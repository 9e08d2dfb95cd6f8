using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>A client adds a contact: a new key in the vault first, then the sealed row and its audit event.</summary>
public sealed class CreateContact(StewardDb db, KeyVault vault, BlindIndex index, AuditLog audit, TimeProvider clock)
{
    public async Task<Result<ContactFields.View>> HandleAsync(Guid clientId, JsonElement body, CancellationToken ct)
    {
        var declared = await DeclareFields.DeclaredAsync(db, ct);
        var problems = new Problems();
        var values = ContactFields.Parse(body, declared, problems);
        var custom = ContactFields.Merge([], values);
        ContactFields.CheckRequired(custom, declared.Values, problems);
        if (problems.Any) return Errors.Invalid(problems);

        // a taken email is found by the unique index on (client, email index) at commit, not by a query first:
        // the index is the guarantee either way, and the query cost every create a round trip
        var (contact, key) = await NewAsync(vault, clientId, "api", clock.GetUtcNow(), ct);
        using (key)
        {
            await ContactFields.ApplyAsync(contact, key, values, custom, index, ct);
            // tracked before the write begins: on SQLite the write gate is then held for the commit alone
            db.Contacts.Add(contact);
            await audit.RecordAsync(db, "CreateContact", "contact", contact.Id.ToString(), ct, status: 201);
            try
            {
                await using var write = await db.BeginWriteAsync(ct);
                await write.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                await vault.DestroyAsync(clientId, [contact.Id], CancellationToken.None);
                return Errors.Conflict("A contact with this email address already exists.");
            }
            return ContactFields.Open(contact, key);
        }
    }

    /// <summary>A new contact and its own key, stored in the vault before anything it seals is written.</summary>
    public static async Task<(Contact, DataKey)> NewAsync(KeyVault vault, Guid clientId, string source, DateTimeOffset now, CancellationToken ct)
    {
        var contact = new Contact { Id = Guid.CreateVersion7(), ClientId = clientId, Source = source, CreatedAt = now, UpdatedAt = now };
        return (contact, await vault.CreateAsync(clientId, contact.Id, ct));
    }
}
