using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
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
        // one read: whether the contact exists (in the trash too: an erasure never waits for the trash's window, G-44)
        // and the access packages waiting for their download, which hold its data under keys of their own
        var packages = new List<Guid>();
        var found = false;
        await foreach (var package in ContactAndPackages(db, clientId, contactId).WithCancellation(ct))
        {
            found = true;
            if (package is { } id) packages.Add(id);
        }
        if (!found) return Errors.NotFound("contact");
        var now = clock.GetUtcNow();
        // what the sub-processors need to find the person, read while the key still exists (P-09)
        var vendorRequests = await thirdParties.PrepareAsync(clientId, contactId, ct);
        await ledger.AppendAsync(clientId, [contactId], ForgetLedger.ContactKind, now, ct);
        await vault.DestroyAsync(clientId, [contactId, .. packages], ct);

        await using var write = await db.BeginWriteAsync(ct);
        // the rows of DeleteRowsAsync, for one contact in one command: one round trip instead of five
        await db.Database.ExecuteSqlRawAsync(DeleteOneContactRows, [clientId, contactId], ct);
        db.ErasureRequests.AddRange(vendorRequests);
        await audit.RecordAsync(db, "EraseContact", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return new Receipt(contactId, now, "crypto-shredding: key destroyed, rows deleted", packages.Count, vendorRequests.Count);
    }

    /// <summary>No row when the contact does not exist; otherwise one row per package waiting (null when none).</summary>
    private static IAsyncEnumerable<Guid?> ContactAndPackages(StewardDb db, Guid clientId, Guid contactId) =>
        // compiled once per model: a compiled query refuses a model other than its first (SQLite and PostgreSQL in one process)
        CompiledContactAndPackages.GetValue(db.Model, _ => EF.CompileAsyncQuery((StewardDb db, Guid clientId, Guid contactId) =>
            from c in db.Contacts.IgnoreQueryFilters()
            where c.Id == contactId && c.ClientId == clientId
            from e in db.RequestExports.IgnoreQueryFilters()
                .Where(e => e.ClientId == clientId && e.ContactId == c.Id && e.PackageSealed != null).DefaultIfEmpty()
            select e == null ? (Guid?)null : e.Id))(db, clientId, contactId);

    private static readonly ConditionalWeakTable<IModel, Func<StewardDb, Guid, Guid, IAsyncEnumerable<Guid?>>> CompiledContactAndPackages = new();

    /// <summary>What <see cref="DeleteRowsAsync"/> deletes, for one contact ({0} its client, {1} its id).</summary>
    private const string DeleteOneContactRows = """
        DELETE FROM "ConsentEvents" WHERE "ClientId" = {0} AND "ContactId" = {1};
        DELETE FROM "RestrictedReads" WHERE "ClientId" = {0} AND "ContactId" = {1};
        DELETE FROM "ContactRestrictions" WHERE "ClientId" = {0} AND "ContactId" = {1};
        UPDATE "RequestExports" SET "PackageSealed" = NULL WHERE "ClientId" = {0} AND "ContactId" = {1};
        DELETE FROM "Contacts" WHERE "ClientId" = {0} AND "Id" = {1};
        """;

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
