using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Notifications;

namespace Steward.OpenDsr;

/// <summary>
/// Sends due status callbacks (OpenDSR 8.5–8.6), at least once: claimed with a lease (FOR UPDATE SKIP LOCKED on
/// PostgreSQL), POSTed with the signature over the exact body and the processor domain, a 2xx answer delivers it,
/// anything else is retried with a doubling wait up to the configured attempts. Every attempt is an audit event.
/// </summary>
public sealed class DeliverOpenDsrCallbacks(StewardDb db, KeyVault vault, OpenDsrSigner signer, IHttpClientFactory http, AuditLog audit,
    AuditContext actor, IOptions<OpenDsrOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "opendsr-callbacks";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public sealed record Outcome(int Delivered, int Retrying, int Failed);

    public async Task<Outcome> HandleAsync(int max, CancellationToken ct)
    {
        actor.ActorType = "system";
        actor.ActorId = "opendsr-callbacks";
        int delivered = 0, retrying = 0, failed = 0;
        foreach (var id in await ClaimAsync(max, ct))
        {
            var callback = await db.OpenDsrCallbacks.AsNoTracking().SingleAsync(c => c.Id == id, ct);
            var version = await db.OpenDsrRequests.IgnoreQueryFilters().Where(o => o.Id == callback.RequestId).Select(o => o.ApiVersion).SingleAsync(ct);
            string? error;
            using (var key = await vault.OpenAsync(callback.ClientId, callback.RequestId, ct))
                error = key is null ? "the request's key is gone" : await SendAsync(OpenDsrProtocol.Version.Of(version),
                    key.OpenString("opendsr.callback.url", callback.UrlSealed)!, key.Open("opendsr.callback.body", callback.BodySealed), ct);
            var status = await RecordAsync(id, error, ct);
            if (status == OpenDsrCallback.Delivered) delivered++;
            else if (status == OpenDsrCallback.Failed) failed++;
            else retrying++;
        }
        return new Outcome(delivered, retrying, failed);
    }

    private async Task<string?> SendAsync(OpenDsrProtocol.Version version, string url, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(version.SignatureHeader, await signer.SignAsync(body, ct));
        request.Headers.Add(version.DomainHeader, options.Value.ProcessorDomain);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return e.GetType().Name; // never the message: it may quote the URL
        }
    }

    private async Task<List<Guid>> ClaimAsync(int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var due = db.IsSqlite
            ? await db.OpenDsrCallbacks.Where(c => c.Status == OpenDsrCallback.Pending && c.NextAttemptAt <= now)
                .OrderBy(c => c.NextAttemptAt).ThenBy(c => c.Id).Take(max).ToListAsync(ct)
            : await db.OpenDsrCallbacks.FromSql($"""
                SELECT * FROM "OpenDsrCallbacks" WHERE "Status" = {OpenDsrCallback.Pending} AND "NextAttemptAt" <= {now}
                ORDER BY "NextAttemptAt", "Id" LIMIT {max} FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
        foreach (var c in due)
        {
            c.Attempts++;
            c.NextAttemptAt = now + Lease;
        }
        await write.CommitAsync(ct);
        return due.Select(c => c.Id).ToList();
    }

    private async Task<string> RecordAsync(Guid id, string? error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var c = await db.OpenDsrCallbacks.SingleAsync(x => x.Id == id, ct);
        if (error is null)
        {
            c.Status = OpenDsrCallback.Delivered;
            c.DeliveredAt = now;
            c.LastError = null;
        }
        else
        {
            c.LastError = error;
            c.Status = c.Attempts >= options.Value.CallbackMaxAttempts ? OpenDsrCallback.Failed : OpenDsrCallback.Pending;
            c.NextAttemptAt = now + DeliverNotifications.Backoff(c.Attempts);
        }
        await audit.RecordAsync(db, "DeliverOpenDsrCallback", "request", c.RequestId.ToString(), ct, c.ClientId,
            outcome: error is null ? "success" : "failed", status: error is null ? 200 : 502);
        await write.CommitAsync(ct);
        return c.Status;
    }
}
