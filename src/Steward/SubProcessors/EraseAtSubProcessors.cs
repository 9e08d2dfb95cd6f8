using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.SubProcessors;

/// <summary>
/// Erasure that reaches every third party (P-09, Art 19): when a contact is erased, one request per sub-processor
/// its client's data flows to, written in the erasure's own transaction; <see cref="DeliverErasures"/> sends them.
/// The person's email travels sealed under the request's own key, destroyed as soon as the vendor confirms.
/// </summary>
public sealed class EraseAtSubProcessors(StewardDb db, KeyVault vault, TransferGate gate, IOptions<SubProcessorOptions> options, TimeProvider clock)
{
    public sealed record Receipt(string SubProcessor, string Status, int Attempts, DateTimeOffset? SentAt, DateTimeOffset? ConfirmedAt,
        DateTimeOffset DueAt, DateTimeOffset? EscalatedAt, string? VendorJobId, string? LastResponse);

    public sealed record Progress(Guid ContactId, bool Complete, IReadOnlyList<Receipt> Vendors);

    /// <summary>Before the contact's key is destroyed: read what the vendors need to find the person, and seal it anew.</summary>
    public Task<List<ErasureRequest>> PrepareAsync(Guid clientId, Guid contactId, CancellationToken ct) => PrepareManyAsync(clientId, [contactId], ct);

    /// <summary>
    /// One request per contact and per sub-processor this client's data flows to (the erasure of a contact, or of a
    /// whole client: P-09 "or a client destroyed"). Read while the contacts' keys still exist; each request's copy of
    /// the email is sealed under a key of its own, which outlives the client's keys until the vendor confirms.
    /// </summary>
    public async Task<List<ErasureRequest>> PrepareManyAsync(Guid clientId, IReadOnlyCollection<Guid> contactIds, CancellationToken ct)
    {
        var vendors = new List<SubProcessor>();
        // read only those whose evidence can pass the gate (TransferGate.EvidenceProblem, now or at a lapse), untracked:
        // on a deployment whose register is not yet confirmed, an erasure reads no sub-processor at all
        foreach (var s in await db.SubProcessors.AsNoTracking().Where(s => s.Status == SubProcessor.Active && !s.NeedsConfirmation
                     && s.EquivalentTerms && s.DpaReference != null && s.DueDiligenceAt != null && s.LastReviewedAt != null).ToListAsync(ct))
            if (await gate.MayHoldAsync(db, clientId, s, ct)) vendors.Add(s); // otherwise it never received this client's data
        var requests = new List<ErasureRequest>();
        if (vendors.Count == 0) return requests;
        var now = clock.GetUtcNow();
        foreach (var chunk in contactIds.Chunk(500))
        {
            var sealedEmails = await db.Contacts.IgnoreQueryFilters().Where(c => c.ClientId == clientId && chunk.Contains(c.Id))
                .Select(c => new { c.Id, c.EmailSealed }).ToDictionaryAsync(c => c.Id, c => c.EmailSealed, ct);
            var contactKeys = await vault.OpenManyAsync(clientId, chunk, ct);
            var emails = new Dictionary<Guid, string>();
            foreach (var (contactId, key) in contactKeys)
                using (key)
                    if (key.OpenString("email", sealedEmails.GetValueOrDefault(contactId)) is { } email) emails[contactId] = email;
            var batch = chunk.SelectMany(contactId => vendors.Select(s => new ErasureRequest
            {
                Id = Guid.CreateVersion7(),
                ClientId = clientId,
                ContactId = contactId,
                SubProcessorId = s.Id,
                CreatedAt = now,
                NextAttemptAt = now,
                DueAt = now.AddDays(options.Value.ErasureDueDays),
            })).ToList();
            var sealable = batch.Where(r => emails.ContainsKey(r.ContactId)).ToList();
            var keys = sealable.Count == 0 ? [] : await vault.CreateManyAsync(clientId, sealable.Select(r => r.Id).ToList(), ct);
            for (var i = 0; i < sealable.Count; i++)
                using (keys[i])
                    sealable[i].EmailSealed = keys[i].Seal("email", emails[sealable[i].ContactId]);
            requests.AddRange(batch);
        }
        return requests;
    }

    public async Task<Result<Progress>> ProgressAsync(Guid contactId, CancellationToken ct)
    {
        var rows = await (from r in db.ErasureRequests
                          join s in db.SubProcessors on r.SubProcessorId equals s.Id
                          where r.ContactId == contactId
                          orderby s.Name
                          select new Receipt(s.Name, r.Status, r.Attempts, r.SentAt, r.ConfirmedAt, r.DueAt, r.EscalatedAt, r.VendorJobId, r.LastResponse))
            .ToListAsync(ct);
        if (rows.Count == 0) return Errors.NotFound("erasure");
        return new Progress(contactId, rows.All(r => r.Status == ErasureRequest.Confirmed), rows);
    }
}

/// <summary>
/// The erasure outbox (P-09): sends each due request through its vendor's connector, retried with backoff
/// (idempotent: the request id is the idempotency key), a receipt per vendor; a manual vendor gets an email with a
/// one-time confirmation link. A request still unconfirmed at its due date escalates to the DPO once.
/// </summary>
public sealed class DeliverErasures(StewardDb db, KeyVault vault, Connectors connectors, Notifier notifier, AuditLog audit,
    IOptions<SubProcessorOptions> options, IOptions<AlertOptions> alerts, TimeProvider clock)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public sealed record Outcome(int Confirmed, int Sent, int Failed, int Escalated);

    public async Task<Outcome> HandleAsync(int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.ErasureRequests.IgnoreQueryFilters()
            .Where(r => r.Status == ErasureRequest.Pending && r.NextAttemptAt <= now).OrderBy(r => r.NextAttemptAt).Take(max).ToListAsync(ct);
        // claim them with a lease, so another node (or the next tick) does not send them at the same time
        foreach (var r in due) r.NextAttemptAt = now + Lease;
        await db.SaveChangesAsync(ct);

        int confirmed = 0, sent = 0, failed = 0;
        foreach (var r in due)
        {
            var s = await db.SubProcessors.AsNoTracking().SingleAsync(x => x.Id == r.SubProcessorId, ct);
            using var key = await vault.OpenAsync(r.ClientId, r.Id, ct);
            var email = key?.OpenString("email", r.EmailSealed);
            r.Attempts++;
            await using var write = await db.BeginWriteAsync(ct);
            if (email is null)
            {
                // nothing identifies the person any more (no email was held): nothing a vendor could match
                Confirm(r, now, "no identifier held: nothing to send", null);
                confirmed++;
            }
            else if (s.Connector == "manual")
            {
                if (s.ContactEmail is null)
                {
                    Fail(r, now, "no vendor contact on file for a manual erasure task");
                    failed++;
                }
                else
                {
                    var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
                    r.ConfirmationHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
                    r.Status = ErasureRequest.Sent;
                    r.SentAt = now;
                    r.LastResponse = "manual task emailed to the vendor";
                    await notifier.EnqueueAsync(db, new Notifier.Message("subprocessor-erasure-task", r.ClientId, s.ContactEmail,
                        $"[Steward] Erasure request {r.Id}: please delete a data subject by {r.DueAt:yyyy-MM-dd}",
                        $"""
                        Under our sub-processing agreement, please permanently delete every record you hold about:

                            {email}

                        Due date: {r.DueAt:yyyy-MM-dd} (UTC)
                        When done, confirm once at:
                        {options.Value.PublicBaseUrl.TrimEnd('/')}/v1/erasure-confirmations/{token}
                        """), ct);
                    sent++;
                }
            }
            else
            {
                var outcome = await connectors.EraseAsync(s, r.Id, email, r.VendorJobId, ct);
                r.SentAt ??= now;
                if (outcome.Ok) { Confirm(r, now, outcome.Response, outcome.Reference); confirmed++; }
                else if (outcome.Running)
                {
                    // the vendor's job is under way: asked again at the spec's interval, not as a failure
                    r.VendorJobId = outcome.Reference;
                    r.LastResponse = Truncate(outcome.Response);
                    r.NextAttemptAt = now + Connectors.PollInterval(s);
                    sent++;
                }
                else
                {
                    r.VendorJobId = outcome.Reference;
                    Fail(r, now, outcome.Response, outcome.RetryAfter);
                    failed++;
                }
            }
            await audit.RecordAsync(db, r.Status == ErasureRequest.Confirmed ? "SubProcessorErasureConfirmed" : r.Status == ErasureRequest.Sent ? "SubProcessorErasureSent" : "SubProcessorErasureFailed",
                "erasure-request", r.Id.ToString(), ct, r.ClientId, outcome: r.Status == ErasureRequest.Pending ? "failure" : "success");
            await write.CommitAsync(ct);
            if (r.Status == ErasureRequest.Confirmed) await vault.DestroyAsync(r.ClientId, [r.Id], ct);
        }
        return new Outcome(confirmed, sent, failed, await EscalateAsync(now, ct));
    }

    private static void Confirm(ErasureRequest r, DateTimeOffset now, string response, string? jobId)
    {
        r.Status = ErasureRequest.Confirmed;
        r.ConfirmedAt = now;
        r.LastResponse = response;
        r.VendorJobId = jobId;
        r.EmailSealed = null;
    }

    /// <summary>Retried with backoff, or when the vendor asked (429 Retry-After).</summary>
    private static void Fail(ErasureRequest r, DateTimeOffset now, string response, TimeSpan? retryAfter = null)
    {
        r.LastResponse = Truncate(response);
        r.NextAttemptAt = now + (retryAfter ?? DeliverNotifications.Backoff(r.Attempts));
    }

    private static string Truncate(string text) => text.Length > 500 ? text[..500] : text;

    /// <summary>Overdue and unconfirmed: the DPO is told, once per request, with no personal data in the message.</summary>
    private async Task<int> EscalateAsync(DateTimeOffset now, CancellationToken ct)
    {
        var overdue = await (from r in db.ErasureRequests.IgnoreQueryFilters()
                             join s in db.SubProcessors on r.SubProcessorId equals s.Id
                             where r.Status != ErasureRequest.Confirmed && r.DueAt <= now && r.EscalatedAt == null
                             select new { r, s.Name }).ToListAsync(ct);
        foreach (var o in overdue)
        {
            await using var write = await db.BeginWriteAsync(ct);
            o.r.EscalatedAt = now;
            foreach (var to in alerts.Value.Recipients)
                await notifier.EnqueueAsync(db, new Notifier.Message("subprocessor-erasure-overdue", o.r.ClientId, to,
                    $"[Steward] Overdue erasure at {o.Name}: request {o.r.Id}",
                    $"""
                    {o.Name} has not confirmed erasure request {o.r.Id} (client {o.r.ClientId}), due {o.r.DueAt:u}.
                    Attempts: {o.r.Attempts}. Last response: {o.r.LastResponse ?? "none"}.
                    The erasure stays open until the vendor's receipt is in.
                    """), ct);
            await audit.RecordAsync(db, "SubProcessorErasureEscalated", "erasure-request", o.r.Id.ToString(), ct, o.r.ClientId, outcome: "escalated");
            await write.CommitAsync(ct);
        }
        return overdue.Count;
    }

    /// <summary>A vendor confirms a manual task through its one-time link.</summary>
    public async Task<Result<string>> ConfirmAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return Errors.NotFound("confirmation");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var r = await db.ErasureRequests.IgnoreQueryFilters().SingleOrDefaultAsync(x => x.ConfirmationHash == hash, ct);
        if (r is null) return Errors.NotFound("confirmation");
        if (r.Status == ErasureRequest.Confirmed) return Errors.Gone("This erasure was already confirmed; the link works once.");
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        Confirm(r, now, "confirmed by the vendor through its one-time link", null);
        await audit.RecordAsync(db, "SubProcessorErasureConfirmed", "erasure-request", r.Id.ToString(), ct, r.ClientId);
        await write.CommitAsync(ct);
        await vault.DestroyAsync(r.ClientId, [r.Id], ct);
        return "Thank you: the erasure is recorded as confirmed.";
    }
}
