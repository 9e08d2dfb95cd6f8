using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Notifications;

/// <summary>
/// Delivers due outbox messages, at least once. A message is first claimed with a lease (its next attempt moved
/// ahead, under FOR UPDATE SKIP LOCKED on PostgreSQL), so several nodes never send it together and no lock is
/// held while the mail server answers. The claim's attempt number is its fencing token: a node renews its lease
/// just before sending and records the outcome only while the message is still pending under that attempt, so a
/// node whose lease ran out and was taken over neither sends again nor records twice. Delivered: the message's key
/// is destroyed, its content unreadable for good. Failed: retried with a doubling wait. Every delivery is an audit
/// event (P-25: the alert's delivery is logged).
/// </summary>
public sealed class DeliverNotifications(StewardDb db, KeyVault vault, MailSender mail, AuditLog audit, AuditContext actor,
    IOptions<MailOptions> options, TimeProvider clock)
{
    public sealed record Outcome(int Delivered, int Retrying, int Failed);

    public async Task<Outcome> HandleAsync(int max, CancellationToken ct)
    {
        actor.ActorType = "system";
        actor.ActorId = "notification-delivery";
        var claimed = await ClaimAsync(max, ct);
        int delivered = 0, retrying = 0, failed = 0;
        foreach (var (id, attempt) in claimed)
        {
            if (!await RenewAsync(id, attempt, ct)) continue; // taken over by another node while this batch ran
            var message = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id, ct);
            string? error = null;
            using (var key = await vault.OpenAsync(Guid.Empty, id, ct))
            {
                if (key is null) error = "the message's key is gone";
                else
                {
                    try
                    {
                        await mail.SendAsync(key.OpenString("to", message.ToSealed)!, key.OpenString("subject", message.SubjectSealed)!,
                            key.OpenString("body", message.BodySealed)!, id, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // the type and SMTP status only: a server's message may quote the recipient's address
                        error = e is MailKit.Net.Smtp.SmtpCommandException smtp ? $"{e.GetType().Name} {(int)smtp.StatusCode}" : e.GetType().Name;
                    }
                }
            }
            var outcome = await RecordAsync(id, attempt, message.ClientId, error, ct);
            if (outcome is null) continue;
            if (outcome == OutboxMessage.Delivered) delivered++;
            else if (outcome == OutboxMessage.Failed) failed++;
            else retrying++;
        }
        return new Outcome(delivered, retrying, failed);
    }

    /// <summary>Claims up to <paramref name="max"/> due messages; each with its attempt number, the claim's token.</summary>
    internal async Task<List<(Guid Id, int Attempt)>> ClaimAsync(int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var due = db.IsSqlite
            ? await db.OutboxMessages.Where(m => m.Status == OutboxMessage.Pending && m.NextAttemptAt <= now)
                .OrderBy(m => m.NextAttemptAt).Take(max).ToListAsync(ct)
            : await db.OutboxMessages.FromSql($"""
                SELECT * FROM "OutboxMessages" WHERE "Status" = {OutboxMessage.Pending} AND "NextAttemptAt" <= {now}
                ORDER BY "NextAttemptAt" LIMIT {max} FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
        foreach (var m in due)
        {
            m.Attempts++;
            m.NextAttemptAt = now + TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        }
        await write.CommitAsync(ct);
        return due.Select(m => (m.Id, m.Attempts)).ToList();
    }

    /// <summary>Moves the lease ahead if the claim is still this node's; false when another node has claimed it since.</summary>
    private async Task<bool> RenewAsync(Guid id, int attempt, CancellationToken ct)
    {
        var lease = clock.GetUtcNow() + TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        await using var write = await db.BeginWriteAsync(ct);
        var held = await db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxMessage.Pending && m.Attempts == attempt)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.NextAttemptAt, lease), ct);
        if (held == 0) return false;
        await write.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Records the outcome with a conditional update, in one transaction with its audit event. Null when the claim
    /// is no longer this node's (another node claimed or delivered the message): nothing is recorded.
    /// </summary>
    internal async Task<string?> RecordAsync(Guid id, int attempt, Guid? clientId, string? error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var status = error is null ? OutboxMessage.Delivered
            : attempt >= options.Value.MaxAttempts ? OutboxMessage.Failed : OutboxMessage.Pending;
        await using var write = await db.BeginWriteAsync(ct);
        var claim = db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxMessage.Pending && m.Attempts == attempt);
        var held = error is null
            ? await claim.ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, status).SetProperty(m => m.DeliveredAt, now)
                .SetProperty(m => m.LastError, (string?)null), ct)
            : await claim.ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, status).SetProperty(m => m.LastError, error)
                .SetProperty(m => m.NextAttemptAt, now + Backoff(attempt)), ct);
        if (held == 0) return null;
        await audit.RecordAsync(db, "DeliverNotification", "notification", id.ToString(), ct, clientId,
            outcome: error is null ? "success" : "failed", status: error is null ? 200 : 502);
        await write.CommitAsync(ct);
        if (error is null) await vault.DestroyAsync(Guid.Empty, [id], ct);
        return status;
    }

    /// <summary>One minute, then doubling, at most a day.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Math.Max(0, attempts - 1)), TimeSpan.FromDays(1).TotalMinutes));
}
