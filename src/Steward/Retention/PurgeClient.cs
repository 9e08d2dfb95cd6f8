using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Clients;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Dpo;
using Steward.SubProcessors;

namespace Steward.Retention;

/// <summary>
/// Erases everything of a client (P-20, G-45, P-47 "destroy"): the forget ledger first (every contact and the client
/// itself, so no restored backup brings them back), then every key of the client is destroyed (crypto-shredding:
/// no copy anywhere can be read from then on), then its rows go. The client row, its agreements, terms, audit trail
/// and evidence stay, without personal data (G-22). Each step is idempotent: a purge cut short is finished by the
/// next run, since the client stays "purging" until the last step.
/// </summary>
public sealed class PurgeClient(StewardDb db, KeyVault vault, ForgetLedger ledger, AuditLog audit, ControllerMail mail, EraseAtSubProcessors thirdParties,
    TimeProvider clock)
{
    public sealed record Report(Guid ClientId, DateTimeOffset PurgedAt, int Contacts, long KeysDestroyed, string Method);

    /// <summary>
    /// The job's step: every client whose grace window has ended, unless a legal hold covers any of its data (G-21: the
    /// purge waits for the hold to be lifted), and every purge cut short (its keys may be gone already: it is finished).
    /// </summary>
    public async Task<int> DueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.Clients.IgnoreQueryFilters().AsNoTracking()
            .Where(c => (c.Status == ClientLifecycle.Cancelled && c.PurgeDueAt <= now && !db.LegalHolds.Any(h => h.ClientId == c.Id && h.LiftedAt == null))
                || c.Status == ClientLifecycle.Purging)
            .Select(c => c.Id).ToListAsync(ct);
        foreach (var clientId in due) await HandleAsync(clientId, ct);
        return due.Count;
    }

    public async Task<Report> HandleAsync(Guid clientId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using (var write = await db.BeginWriteAsync(ct))
        {
            var client = await db.Clients.SingleAsync(c => c.Id == clientId, ct);
            if (client.Status == ClientLifecycle.Purged) return new Report(clientId, client.PurgedAt ?? now, 0, 0, Method);
            if (client.Status != ClientLifecycle.Purging)
            {
                client.Status = ClientLifecycle.Purging;
                // the owners are told while their addresses can still be read (G-21: confirmation of destruction)
                await mail.SendAsync(db, clientId, "client-purged", "[Steward] Your data are being destroyed", $"""
                    Your subscription ended on {client.CancelledAt?.ToString("u", CultureInfo.InvariantCulture) ?? "(now)"}.
                    As your data processing agreement provides, every personal data Steward held for you is destroyed now:
                    the keys that open it, in every copy and backup, are destroyed; the records are deleted.
                    Client: {clientId}
                    Method: {Method}
                    """, ct);
                await audit.RecordAsync(db, "PurgeClientStarted", "client", clientId.ToString(), ct, clientId);
            }
            await write.CommitAsync(ct);
        }

        await AskSubProcessorsAsync(clientId, ct);
        // the ids are streamed from the data into the ledger: a client may hold millions of contacts
        var contacts = await ledger.AppendClientAsync(clientId,
            db.Contacts.IgnoreQueryFilters().Where(c => c.ClientId == clientId).Select(c => c.Id).AsAsyncEnumerable(), now, ct);
        var keys = await vault.DestroyClientAsync(clientId, ct, VendorRequestKeys(db, clientId));

        await using (var write = await db.BeginWriteAsync(ct))
        {
            await DeleteRowsAsync(db, clientId, ct);
            var client = await db.Clients.SingleAsync(c => c.Id == clientId, ct);
            client.Status = ClientLifecycle.Purged;
            client.PurgedAt = now;
            await audit.RecordAsync(db, "PurgeClient", "client", clientId.ToString(), ct, clientId);
            await write.CommitAsync(ct);
        }
        return new Report(clientId, now, contacts, keys, Method);
    }

    /// <summary>
    /// Every vendor this client's data flows to is asked to forget each contact (P-09), read while the keys exist;
    /// written before any key goes, so a purge cut short asks nobody twice and forgets nobody. By pages, each
    /// committed: the requests of a million contacts are never all in memory.
    /// </summary>
    private async Task AskSubProcessorsAsync(Guid clientId, CancellationToken ct)
    {
        var recorded = false;
        while (true)
        {
            var page = await db.Contacts.IgnoreQueryFilters()
                .Where(c => c.ClientId == clientId && !db.ErasureRequests.IgnoreQueryFilters().Any(e => e.ClientId == clientId && e.ContactId == c.Id))
                .OrderBy(c => c.Id).Select(c => c.Id).Take(AskPage).ToListAsync(ct);
            if (page.Count == 0) return;
            var vendorRequests = await thirdParties.PrepareManyAsync(clientId, page, ct);
            if (vendorRequests.Count == 0) return; // no vendor holds this client's data
            await using var write = await db.BeginWriteAsync(ct);
            db.ErasureRequests.AddRange(vendorRequests);
            if (!recorded) await audit.RecordAsync(db, "PurgeClientAskedSubProcessors", "client", clientId.ToString(), ct, clientId);
            await write.CommitAsync(ct);
            db.ChangeTracker.Clear();
            recorded = true;
        }
    }

    private const int AskPage = 5_000;

    /// <summary>The keys that outlive the purge: those of requests a sub-processor still has to be sent (P-09).</summary>
    public static IAsyncEnumerable<Guid> VendorRequestKeys(StewardDb db, Guid clientId) =>
        db.ErasureRequests.IgnoreQueryFilters().Where(e => e.ClientId == clientId && e.Status != ErasureRequest.Confirmed)
            .Select(e => e.Id).AsAsyncEnumerable();

    public const string Method = "crypto-shredding: every key of the client destroyed, records deleted";

    /// <summary>The rows of the client's contacts in their tables (<see cref="EraseContact.ContactRowTables"/>), {0} the client.</summary>
    private static readonly string[] DeleteContactRows =
        [.. EraseContact.ContactRowTables.Select(t => $$"""DELETE FROM "{{t}}" WHERE "ClientId" = {0}""")];

    /// <summary>Every row of the client that holds or points to personal data. Kept as evidence: agreements and acceptances, terms, audit, breaches, inspections, objections.</summary>
    public static async Task DeleteRowsAsync(StewardDb db, Guid clientId, CancellationToken ct)
    {
        // by client, never by a list of its contacts' ids (a million would not fit in a statement)
        foreach (var delete in DeleteContactRows) await db.Database.ExecuteSqlRawAsync(delete, [clientId], ct);
        await db.OpenDsrCallbacks.Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.OpenDsrRequests.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.ErasureRequests.IgnoreQueryFilters().Where(e => e.ClientId == clientId && e.Status == ErasureRequest.Confirmed).ExecuteDeleteAsync(ct);
        await db.PropagationTasks.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.RequestExports.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.RequestVerifications.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.SubjectRequestSteps.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.SubjectRequests.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.Suppressions.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.Contacts.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.CustomFields.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.WidgetVersions.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.Widgets.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.ClientRecoveryCodes.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.ClientUsers.IgnoreQueryFilters().Where(e => e.ClientId == clientId).ExecuteDeleteAsync(ct);
    }
}
