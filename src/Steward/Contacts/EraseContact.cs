using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
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
public sealed class EraseContact(StewardDb db, EraseLookup lookup, KeyVault vault, ForgetLedger ledger, AuditLog audit, EraseAtSubProcessors thirdParties, TimeProvider clock)
{
    /// <param name="SubProcessorRequests">How many sub-processors are asked to forget the person (see GET …/erasures/{contactId}).</param>
    public sealed record Receipt(Guid ContactId, DateTimeOffset ErasedAt, string Method, int PackagesShredded, int SubProcessorRequests);

    public async Task<Result<Receipt>> HandleAsync(Guid clientId, Guid contactId, CancellationToken ct)
    {
        // one prepared read: whether the contact exists (in the trash too: an erasure never waits for the trash's
        // window, G-44), whether it has access packages waiting for their download (which hold its data under keys
        // of their own) and whether any sub-processor is active
        if (await lookup.FindAsync(clientId, contactId, ct) is not { } found) return Errors.NotFound("contact");
        var packages = new List<Guid>();
        if (found.Packages > 0)
            await foreach (var package in WaitingPackages.For(db)(db, clientId, contactId).WithCancellation(ct))
                packages.Add(package);
        var now = clock.GetUtcNow();
        // what the sub-processors need to find the person, read while the key still exists (P-09)
        var vendorRequests = found.Vendors > 0 ? await thirdParties.PrepareAsync(clientId, contactId, ct) : [];
        await ledger.AppendAsync(clientId, [contactId], ForgetLedger.ContactKind, now, ct);
        await vault.DestroyAsync(clientId, [contactId, .. packages], ct);

        await using var write = await db.BeginWriteAsync(ct);
        await DeleteOneContactRowsAsync(clientId, contactId, ct);
        db.ErasureRequests.AddRange(vendorRequests);
        await audit.RecordAsync(db, "EraseContact", "contact", contactId.ToString(), ct);
        await write.CommitAsync(ct);
        return new Receipt(contactId, now, "crypto-shredding: key destroyed, rows deleted", packages.Count, vendorRequests.Count);
    }

    /// <summary>The ids of the contact's access packages waiting for their download (the contact is known to exist).</summary>
    private static readonly CompiledQuery<Func<StewardDb, Guid, Guid, IAsyncEnumerable<Guid>>> WaitingPackages =
        new(() => EF.CompileAsyncQuery((StewardDb db, Guid clientId, Guid contactId) => db.RequestExports.IgnoreQueryFilters()
            .Where(e => e.ClientId == clientId && e.ContactId == contactId && e.PackageSealed != null)
            .Select(e => e.Id)));

    /// <summary>
    /// The tables that hold a contact's rows besides its own, by their "ContactId": deleted with it. The one list for an
    /// erasure, its replay and a client's purge (<see cref="Retention.PurgeClient.DeleteRowsAsync"/>). Kept: subject
    /// requests (the client's evidence, under their own keys), propagation tasks (ids only, still to be delivered) and
    /// the suppression list (keyed hashes, so an objection outlives the erasure).
    /// </summary>
    public static readonly string[] ContactRowTables = ["ConsentEvents", "RestrictedReads", "ContactRestrictions"];

    /// <summary>Every row of some contacts, as statements: <paramref name="client"/> is the client's parameter, <paramref name="match"/> matches the contacts' ids.</summary>
    private static string DeleteRowsSql(string client, string match) => string.Join(";\n",
        [
            .. ContactRowTables.Select(t => $"""DELETE FROM "{t}" WHERE "ClientId" = {client} AND "ContactId" {match}"""),
            // an access package not yet downloaded: its key goes with the contact's, its sealed copy with the rows
            $"""UPDATE "RequestExports" SET "PackageSealed" = NULL WHERE "ClientId" = {client} AND "ContactId" {match}""",
            $"""DELETE FROM "Contacts" WHERE "ClientId" = {client} AND "Id" {match}""",
        ]);

    private static readonly string DeleteOne = DeleteRowsSql("@c", "= @id");

    /// <summary>
    /// One contact's rows in one command, one round trip, on the unit of work's connection and transaction without
    /// EF Core's raw-SQL pipeline. On PostgreSQL prepared: Npgsql keeps a prepared statement on its physical
    /// connection, so each pooled connection parses them once (EF Core's own commands are parsed every time).
    /// </summary>
    private async Task DeleteOneContactRowsAsync(Guid clientId, Guid contactId, CancellationToken ct)
    {
        await using var delete = db.Database.GetDbConnection().CreateCommand();
        delete.CommandText = DeleteOne;
        delete.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (db.IsSqlite)
        {
            // SQLite: a prepare here would cost what the execution's own does, the statements being new to the command
            delete.Parameters.Add(new SqliteParameter("@c", clientId));
            delete.Parameters.Add(new SqliteParameter("@id", contactId));
        }
        else
        {
            delete.Parameters.Add(new NpgsqlParameter<Guid>("c", clientId));
            delete.Parameters.Add(new NpgsqlParameter<Guid>("id", contactId));
            await delete.PrepareAsync(ct);
        }
        await delete.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every row that belongs to these contacts, in every table (<see cref="ContactRowTables"/>).</summary>
    public static async Task DeleteRowsAsync(StewardDb db, Guid clientId, IReadOnlyCollection<Guid> contactIds, CancellationToken ct)
    {
        // a page of ids per command: a million would not fit in one statement
        foreach (var page in contactIds.Chunk(500))
        {
            var ids = string.Join(", ", page.Select((_, i) => $"{{{i + 1}}}"));
            await db.Database.ExecuteSqlRawAsync(DeleteRowsSql("{0}", $"IN ({ids})"), [clientId, .. page.Select(id => (object)id)], ct);
        }
    }
}

/// <summary>
/// The first read of an erasure (<see cref="EraseContact"/>), on held connections with its statement prepared
/// (<see cref="HeldReader"/>): through EF Core it was a new statement parsed per call, and a second query for the
/// sub-processors. No row when the contact does not exist. The sub-processors counted are the active ones, a superset
/// of those <see cref="EraseAtSubProcessors.PrepareManyAsync"/> reads (its evidence rule stays there alone): when
/// there are none, that read is skipped.
/// </summary>
public sealed class EraseLookup(EmailLookup connections) : IAsyncDisposable
{
    public sealed record Found(long Packages, long Vendors);

    private HeldReader? _reader;

    private HeldReader Reader => LazyInitializer.EnsureInitialized(ref _reader, () => new HeldReader(connections.OpenAsync, $"""
        SELECT (SELECT COUNT(*) FROM "RequestExports" e
                    WHERE e."ClientId" = @c AND e."ContactId" = @id AND e."PackageSealed" IS NOT NULL),
               (SELECT COUNT(*) FROM "SubProcessors" s WHERE s."Status" = '{SubProcessor.Active}')
            FROM "Contacts" c WHERE c."ClientId" = @c AND c."Id" = @id
        """, "@c", "@id"));

    public Task<Found?> FindAsync(Guid clientId, Guid contactId, CancellationToken ct) =>
        Reader.ReadAsync([clientId, contactId], r => new Found(r.GetInt64(0), r.GetInt64(1)), ct);

    public ValueTask DisposeAsync() => _reader?.DisposeAsync() ?? ValueTask.CompletedTask;
}
