using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.SubProcessors;

namespace Steward.Contacts;

/// <summary>
/// Erases a contact for good (Art. 17): the ledger entry first and durably, then the key is destroyed (from that
/// moment no copy anywhere, backups included, can be read) with the keys of any access package not yet downloaded,
/// then its rows go with the audit event. A crash between the steps is finished by <see cref="ReplayForgetLedger"/>
/// on the next start.
/// </summary>
public sealed class EraseContact(StewardDb db, KeyVault vault, ForgetLedger ledger, AuditLog audit, EraseAtSubProcessors thirdParties, TimeProvider clock)
{
    /// <param name="SubProcessorRequests">How many sub-processors are asked to forget the person (see GET …/erasures/{contactId}).</param>
    public sealed record Receipt(Guid ContactId, DateTimeOffset ErasedAt, string Method, int PackagesShredded, int SubProcessorRequests);

    public async Task<Result<Receipt>> HandleAsync(Guid clientId, Guid contactId, CancellationToken ct)
    {
        // a contact in the trash is erased too: an erasure never waits for the trash's window (G-44)
        if (!await db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == contactId && c.ClientId == clientId, ct)) return Errors.NotFound("contact");
        var now = clock.GetUtcNow();
        // an access package waiting for its download holds the contact's data under a key of its own
        var packages = await db.RequestExports.Where(e => e.ContactId == contactId && e.PackageSealed != null).Select(e => e.Id).ToListAsync(ct);
        // what the sub-processors need to find the person, read while the key still exists (P-09)
        var vendorRequests = await thirdParties.PrepareAsync(clientId, contactId, ct);
        await ledger.AppendAsync(clientId, [contactId], ForgetLedger.ContactKind, now, ct);
        await vault.DestroyAsync(clientId, [contactId, .. packages], ct);

        await using var write = await db.BeginWriteAsync(ct);
        await DeleteRowsAsync(db, clientId, [contactId], ct);
        db.ErasureRequests.AddRange(vendorRequests);
        await audit.RecordAsync(db, "EraseContact", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return new Receipt(contactId, now, "crypto-shredding: key destroyed, rows deleted", packages.Count, vendorRequests.Count);
    }

    /// <summary>
    /// Every row that belongs to these contacts, in every table. Kept: subject requests (the client's evidence, under
    /// their own keys), propagation tasks (ids only, still to be delivered) and the suppression list (keyed hashes,
    /// so an objection outlives the erasure).
    /// </summary>
    public static async Task DeleteRowsAsync(StewardDb db, Guid clientId, IReadOnlyCollection<Guid> contactIds, CancellationToken ct)
    {
        await db.ConsentEvents.IgnoreQueryFilters().Where(e => e.ClientId == clientId && contactIds.Contains(e.ContactId)).ExecuteDeleteAsync(ct);
        await db.RestrictedReads.IgnoreQueryFilters().Where(e => e.ClientId == clientId && contactIds.Contains(e.ContactId)).ExecuteDeleteAsync(ct);
        await db.ContactRestrictions.IgnoreQueryFilters().Where(e => e.ClientId == clientId && contactIds.Contains(e.ContactId)).ExecuteDeleteAsync(ct);
        await db.RequestExports.IgnoreQueryFilters().Where(e => e.ClientId == clientId && e.ContactId != null && contactIds.Contains(e.ContactId.Value))
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.PackageSealed, (byte[]?)null), ct);
        await db.Contacts.IgnoreQueryFilters().Where(c => c.ClientId == clientId && contactIds.Contains(c.Id)).ExecuteDeleteAsync(ct);
    }
}
