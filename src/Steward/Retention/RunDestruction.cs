using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Dpo;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Retention;

/// <summary>
/// Carries out an approved destruction (P-26, P-09), each step idempotent so a run cut short is finished by the next:
/// (1) unless a legal hold covers the scope, the scope's identifiers are read while their keys exist and sealed under
/// the destruction's own key; (2) the live data and the keys go — the client's purge, or each contact's erasure (forget
/// ledger, keys, rows); (3) the residual scan searches every <see cref="IResidualStore"/>. While anything is found the
/// destruction stays open ("residue-found"); a clean scan completes it, destroys the destruction's key with the
/// identifiers it sealed, and confirms to the client (P-47, G-21).
/// </summary>
public sealed class RunDestruction(StewardDb db, KeyVault vault, PurgeClient purge, EraseContact erase, ControllerMail mail, Notifier notifier,
    IEnumerable<IResidualStore> stores, AuditLog audit, TimeProvider clock)
{
    public const string Method = "crypto-shredding: the keys of every subject in scope destroyed in the key store (no copy or backup can be read "
        + "from then on), the erasure written to the forget ledger (a restore replays it), the live records deleted; then a residual scan of every store";

    /// <summary>What the destruction's own key seals: what to scan for, and whom to confirm to once the data are gone.</summary>
    private sealed record Sealed(ScopeIdentifiers Scope, List<string> Notify);

    /// <summary>The job's step: approved destructions waiting for a hold to lift, runs cut short, and re-scans of open ones.</summary>
    public async Task<int> DueAsync(CancellationToken ct)
    {
        var due = await db.Destructions.IgnoreQueryFilters().AsNoTracking()
            .Where(d => d.Status == Destruction.Held || d.Status == Destruction.Destroying || d.Status == Destruction.ResidueFound)
            .OrderBy(d => d.RequestedAt).Select(d => d.Id).ToListAsync(ct);
        foreach (var id in due) await HandleAsync(id, null, ct);
        return due.Count;
    }

    /// <param name="verifier">The staff member who asked for a re-scan; null for the automated scan.</param>
    public async Task<Result<DestructionReport.View>> HandleAsync(Guid destructionId, Guid? verifier, CancellationToken ct)
    {
        var d = await db.Destructions.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(x => x.Id == destructionId, ct);
        if (d is null) return Errors.NotFound("destruction");
        db.TenantId = d.ClientId;
        switch (d.Status)
        {
            case Destruction.AwaitingApproval:
                return Errors.Conflict("The destruction awaits the approval of a CEO and a DPO.");
            case Destruction.Held or Destruction.Destroying:
                if (await HeldAsync(d, ct))
                {
                    if (d.Status != Destruction.Held) await SetStatusAsync(d.Id, Destruction.Held, "HoldDestruction", ct);
                    break;
                }
                await SealIdentifiersAsync(d.Id, ct);
                await DestroyAsync(d.Id, ct);
                await ScanAsync(d.Id, verifier, ct);
                break;
            case Destruction.ResidueFound:
                await ScanAsync(d.Id, verifier, ct);
                break;
        }
        return await ViewAsync(destructionId, ct);
    }

    public async Task<DestructionReport.View> ViewAsync(Guid destructionId, CancellationToken ct) =>
        DestructionReport.Of(await db.Destructions.IgnoreQueryFilters().AsNoTracking().SingleAsync(x => x.Id == destructionId, ct), stores.Select(s => s.Name));

    private Task<bool> HeldAsync(Destruction d, CancellationToken ct) => d.Scope == Destruction.ClientScope
        ? LegalHold.HoldsAnyAsync(db, d.ClientId, ct)
        : LegalHold.HoldsAnyAsync(db, d.ClientId, d.ContactList, ct);

    private async Task SetStatusAsync(Guid id, string status, string action, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var d = await db.Destructions.IgnoreQueryFilters().SingleAsync(x => x.Id == id, ct);
        d.Status = status;
        await audit.RecordAsync(db, action, "destruction", id.ToString(), ct, d.ClientId);
        await write.CommitAsync(ct);
    }

    private async Task SealIdentifiersAsync(Guid id, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(ct);
        var d = await db.Destructions.IgnoreQueryFilters().SingleAsync(x => x.Id == id, ct);
        d.Status = Destruction.Destroying;
        if (d.IdentifiersSealed is null)
        {
            var wholeClient = d.Scope == Destruction.ClientScope;
            var scoped = d.ContactList;
            var contacts = await db.Contacts.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.ClientId == d.ClientId && (wholeClient || scoped.Contains(c.Id))).ToListAsync(ct);
            var values = new List<string>();
            foreach (var chunk in contacts.Chunk(500))
            {
                var keys = await vault.OpenManyAsync(d.ClientId, chunk.Select(c => c.Id).ToList(), ct);
                foreach (var contact in chunk)
                {
                    if (!keys.Remove(contact.Id, out var key)) continue;
                    using (key)
                        values.AddRange(new[] { key.OpenString("email", contact.EmailSealed), key.OpenString("phone", contact.PhoneSealed) }
                            .Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!));
                }
            }
            var scope = new ScopeIdentifiers(d.ClientId, wholeClient, wholeClient ? [.. contacts.Select(c => c.Id)] : [.. scoped],
                [.. contacts.SelectMany(c => new[] { c.EmailIndex, c.PhoneIndex }).OfType<byte[]>()], [.. values.Distinct(StringComparer.OrdinalIgnoreCase)]);
            // its own key, outside the client's: the client's purge destroys every key of the client, and this one must outlive it
            using var own = await vault.OpenOrCreateAsync(d.Id, d.Id, ct);
            d.IdentifiersSealed = own.Seal("identifiers", JsonSerializer.SerializeToUtf8Bytes(new Sealed(scope, await mail.OwnerAddressesAsync(db, d.ClientId, ct))));
            d.KeyIds = string.Join(',', scope.ContactIds);
        }
        await write.CommitAsync(ct);
    }

    private async Task DestroyAsync(Guid id, CancellationToken ct)
    {
        var d = await db.Destructions.IgnoreQueryFilters().AsNoTracking().SingleAsync(x => x.Id == id, ct);
        if (d.DestroyedAt is not null) return;
        int contacts;
        long keys;
        if (d.Scope == Destruction.ClientScope)
        {
            var purged = await purge.HandleAsync(d.ClientId, ct);
            (contacts, keys) = (purged.Contacts, purged.KeysDestroyed);
        }
        else
        {
            (contacts, keys) = (0, 0);
            foreach (var contactId in d.ContactList)
            {
                // already gone (erased meanwhile, or a run cut short): the ledger and the key store hold its erasure
                if ((await erase.HandleAsync(d.ClientId, contactId, ct)).Value is not { } receipt) continue;
                contacts++;
                keys += 1 + receipt.PackagesShredded;
            }
        }
        await using var write = await db.BeginWriteAsync(ct);
        var tracked = await db.Destructions.IgnoreQueryFilters().SingleAsync(x => x.Id == id, ct);
        tracked.DestroyedAt = clock.GetUtcNow();
        tracked.ContactsDestroyed = contacts;
        tracked.KeysDestroyed = keys;
        await audit.RecordAsync(db, "DestroyScope", "destruction", id.ToString(), ct, d.ClientId);
        await write.CommitAsync(ct);
    }

    private async Task ScanAsync(Guid id, Guid? verifier, CancellationToken ct)
    {
        var d = await db.Destructions.IgnoreQueryFilters().AsNoTracking().SingleAsync(x => x.Id == id, ct);
        Sealed identifiers;
        using (var own = await vault.OpenAsync(d.Id, d.Id, ct) ?? throw new InvalidOperationException("An open destruction has lost its key."))
            identifiers = JsonSerializer.Deserialize<Sealed>(own.Open("identifiers", d.IdentifiersSealed))!;
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var store in stores) counts[store.Name] = await store.ScanAsync(identifiers.Scope, ct);
        var now = clock.GetUtcNow();
        var clean = counts.Values.All(c => c == 0);

        await using (var write = await db.BeginWriteAsync(ct))
        {
            var tracked = await db.Destructions.IgnoreQueryFilters().SingleAsync(x => x.Id == id, ct);
            tracked.ScanCounts = JsonSerializer.Serialize(counts);
            tracked.Scans++;
            tracked.LastScanAt = now;
            tracked.VerifiedBy = verifier?.ToString() ?? "automated";
            if (clean)
            {
                tracked.Status = Destruction.Completed;
                tracked.CompletedAt = now;
                tracked.IdentifiersSealed = null;
                foreach (var to in identifiers.Notify)
                    await notifier.EnqueueAsync(db, new Notifier.Message("destruction-completed", d.ClientId, to, "[Steward] Destruction completed", $"""
                        The destruction of your data that you chose or that was authorised is complete.
                        Scope: {(d.Scope == Destruction.ClientScope ? "all your data" : $"{d.ContactList.Count} contacts")}
                        Method: {Method}
                        Completed: {now.ToString("u", CultureInfo.InvariantCulture)}
                        A residual scan of every store found nothing left.
                        Your destruction report: /v1/clients/{d.ClientId}/destructions/{d.Id} (printable: /v1/clients/{d.ClientId}/destructions/{d.Id}/report.html)
                        """), ct);
            }
            else tracked.Status = Destruction.ResidueFound;
            await audit.RecordAsync(db, clean ? "CompleteDestruction" : "DestructionResidueFound", "destruction", id.ToString(), ct, d.ClientId,
                outcome: clean ? "success" : "failure");
            await write.CommitAsync(ct);
        }
        // the identifiers' ciphertext is gone with the commit; the key goes after it (a key left by a crash opens nothing)
        if (clean) await vault.DestroyAsync(d.Id, [d.Id], ct);
    }
}
