using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Requests;

namespace Steward.OpenDsr;

/// <summary>
/// Carries out the OpenDSR requests that are pending, oldest first: each is claimed by moving it to in_progress
/// (under FOR UPDATE SKIP LOCKED on PostgreSQL, so nodes never take the same one), its subject is found (a raw email
/// through the blind index, a SHA-256 of an email by hashing each held address, a customer id as a contact id), the
/// right is carried out by <see cref="FulfilRequest"/> — an access package behind a short-lived results URL, or an
/// erasure with its certificate — and every status change is called back to the controller.
/// </summary>
public sealed partial class ProcessOpenDsrRequests(StewardDb db, KeyVault vault, BlindIndex index, FulfilRequest fulfil, AuditLog audit,
    AuditContext actor, IOptions<OpenDsrOptions> options, TimeProvider clock, ILogger<ProcessOpenDsrRequests> log)
{
    public async Task<int> HandleAsync(int max, CancellationToken ct)
    {
        actor.ActorType = "processor";
        actor.ActorId = "opendsr";
        var claimed = await ClaimAsync(max, ct);
        var done = 0;
        foreach (var (id, clientId) in claimed)
        {
            db.ChangeTracker.Clear();
            db.TenantId = clientId;
            actor.ClientId = clientId;
            if (await CarryOutAsync(clientId, id, ct)) done++;
        }
        db.TenantId = null;
        return done;
    }

    private async Task<List<(Guid, Guid)>> ClaimAsync(int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        // a cancelled client is skipped: processing stops at cancellation (P-07); its requests wait for a reactivation
        var due = db.IsSqlite
            ? await db.SubjectRequests.IgnoreQueryFilters().Where(r => r.Source == OpenDsrProtocol.Source && r.Status == SubjectRequest.Verified
                    && db.Clients.Any(c => c.Id == r.ClientId && c.Status == Clients.ClientLifecycle.Active))
                .OrderBy(r => r.CreatedAt).Take(max).ToListAsync(ct)
            : await db.SubjectRequests.FromSql($"""
                SELECT * FROM "SubjectRequests" WHERE "Source" = {OpenDsrProtocol.Source} AND "Status" = {SubjectRequest.Verified}
                AND EXISTS (SELECT 1 FROM "Clients" c WHERE c."Id" = "SubjectRequests"."ClientId" AND c."Status" = {Clients.ClientLifecycle.Active})
                ORDER BY "CreatedAt" LIMIT {max} FOR UPDATE SKIP LOCKED
                """).IgnoreQueryFilters().ToListAsync(ct);
        foreach (var r in due)
        {
            r.Status = SubjectRequest.InProgress;
            r.UpdatedAt = now;
            ChangeRequestStatus.AddStep(db, r, "in-progress", SubjectRequest.Verified, actor, now);
            await StatusCallbacks.EnqueueAsync(db, vault, r, now, ct);
            await audit.RecordAsync(db, "StartOpenDsrRequest", "request", r.Id.ToString(), ct, r.ClientId);
        }
        await write.CommitAsync(ct);
        return due.Select(r => (r.Id, r.ClientId)).ToList();
    }

    private async Task<bool> CarryOutAsync(Guid clientId, Guid id, CancellationToken ct)
    {
        var r = await db.SubjectRequests.AsNoTracking().SingleAsync(x => x.Id == id, ct);
        Guid? contactId;
        using (var key = await vault.OpenAsync(clientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key."))
            contactId = await FindSubjectAsync(clientId, ReadRequests.OpenIdentities(r, key), ct);
        if (contactId is not null)
        {
            await using var link = await db.BeginWriteAsync(ct);
            (await db.SubjectRequests.SingleAsync(x => x.Id == id, ct)).ContactId = contactId;
            await link.CommitAsync(ct);
        }

        var result = await fulfil.HandleAsync(clientId, id, new FulfilRequest.Request("json"), ct);
        if (!result.IsSuccess)
        {
            LogFailed(log, id, result.Error!.Code);
            return false;
        }
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        db.ChangeTracker.Clear();
        var tracked = await db.SubjectRequests.SingleAsync(x => x.Id == id, ct);
        var o = await db.OpenDsrRequests.SingleAsync(x => x.Id == id, ct);
        using (var key = await vault.OpenAsync(clientId, id, ct) ?? throw new InvalidOperationException("A stored request has no key."))
        {
            if (result.Value!.Package is { } package)
            {
                o.ResultsExportId = package.ExportId;
                o.ResultsUrlSealed = key.Seal("opendsr.results", options.Value.PublicBaseUrl.TrimEnd('/') + package.DownloadUrl);
                o.ResultsCount = package.Records;
            }
            else o.ResultsCount = result.Value.Certificate?["nothingHeld"]?.GetValue<bool>() == true ? 0 : 1;
        }
        await db.SaveChangesAsync(ct);
        await StatusCallbacks.EnqueueAsync(db, vault, tracked, now, ct);
        await write.CommitAsync(ct);
        return true;
    }

    /// <summary>The contact the identities name, if any: raw emails and customer ids directly, SHA-256 hashes by hashing each held address.</summary>
    private async Task<Guid?> FindSubjectAsync(Guid clientId, ReadRequests.Identities identities, CancellationToken ct)
    {
        if (await CreateRequest.FindContactAsync(db, index, clientId, identities, ct) is { } byEmail) return byEmail;
        foreach (var customer in identities.CustomerIds ?? [])
            if (Guid.TryParse(customer, out var contactId) && await db.Contacts.AnyAsync(c => c.Id == contactId, ct)) return contactId;
        var hashes = (identities.EmailSha256 ?? []).ToHashSet(StringComparer.Ordinal);
        if (hashes.Count == 0) return null;
        Guid after = Guid.Empty;
        while (true)
        {
            var page = await db.Contacts.AsNoTracking().Where(c => c.EmailSealed != null && c.Id.CompareTo(after) > 0).OrderBy(c => c.Id).Take(500)
                .Select(c => new { c.Id, c.EmailSealed }).ToListAsync(ct);
            if (page.Count == 0) return null;
            var keys = await vault.OpenManyAsync(clientId, page.Select(c => c.Id).ToList(), ct);
            try
            {
                foreach (var c in page)
                {
                    if (!keys.TryGetValue(c.Id, out var key) || key.OpenString("email", c.EmailSealed) is not { } email) continue;
                    if (hashes.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(BlindIndex.NormalizeEmail(email)))))) return c.Id;
                }
            }
            finally
            {
                foreach (var key in keys.Values) key.Dispose();
            }
            after = page[^1].Id;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenDSR request {RequestId} could not be carried out: {Code}; it stays in progress for staff")]
    private static partial void LogFailed(ILogger log, Guid requestId, string code);
}
