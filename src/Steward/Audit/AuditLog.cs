using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Audit;

/// <summary>Who is acting in this request (or job), filled in by authentication; read by <see cref="AuditLog"/>.</summary>
public sealed class AuditContext
{
    public string ActorType { get; set; } = "anonymous";
    public string? ActorId { get; set; }
    public Guid? ClientId { get; set; }
    public string? IpAddress { get; set; }
    public string? CorrelationId { get; set; }
    /// <summary>The reason or ticket a staff member gave for this request (P-22).</summary>
    public string? Reason { get; set; }
    /// <summary>Set once the request's event is written, so the middleware does not write a second one.</summary>
    public bool Recorded { get; set; }
}

/// <summary>Appends audit events to the caller's unit of work, so an action and its evidence commit together.</summary>
public sealed class AuditLog(AuditContext context, AuditKeys keys, TimeProvider clock)
{
    private static long _pending;

    public async Task RecordAsync(StewardDb db, string action, string? resourceType, string? resourceId,
        CancellationToken ct, Guid? clientId = null, string outcome = "success", int status = 200)
    {
        var e = await EventAsync(action, resourceType, resourceId, ct, clientId, outcome, status);
        // a placeholder key, unique among the unit of work's pending events; the chain gives the real one at commit
        e.Seq = -Interlocked.Increment(ref _pending);
        db.AuditEvents.Add(e);
    }

    /// <summary>
    /// The event of this actor's action, not yet in the chain, and the request marked as recorded: for
    /// <see cref="RecordAsync"/>, or for <see cref="AuditAppender"/> when the event is a unit of work of its own.
    /// </summary>
    public async Task<AuditEvent> EventAsync(string action, string? resourceType, string? resourceId,
        CancellationToken ct, Guid? clientId = null, string outcome = "success", int status = 200)
    {
        // whole milliseconds: what both engines store exactly, so the chain re-hashes to the same value
        var now = clock.GetUtcNow();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        byte[]? ip = null;
        if (context.IpAddress is { } address)
        {
            using var key = await keys.ForMonthAsync(at, ct);
            ip = key.Seal("ip", address);
        }
        context.Recorded = true;
        return new AuditEvent
        {
            At = at,
            ActorType = context.ActorType,
            ActorId = context.ActorId,
            ClientId = clientId ?? context.ClientId,
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            Outcome = outcome,
            Status = status,
            IpAddressSealed = ip,
            CorrelationId = context.CorrelationId,
            Reason = context.Reason,
        };
    }
}

/// <summary>
/// The key that seals the IP addresses of one month's audit events. Access logs are personal data kept six
/// months (G-47): destroying a month's key shreds that month's addresses without touching the chain.
/// </summary>
public sealed class AuditKeys(KeyVault vault)
{
    private readonly ConcurrentDictionary<string, byte[]> _material = new(StringComparer.Ordinal);

    public static Guid MonthSubject(DateTimeOffset at) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"steward/audit-month/{at.UtcDateTime:yyyy-MM}"))[..16]);

    public async Task<DataKey> ForMonthAsync(DateTimeOffset at, CancellationToken ct)
    {
        var subject = MonthSubject(at);
        var month = $"{at.UtcDateTime:yyyy-MM}";
        if (!_material.TryGetValue(month, out var material))
        {
            using var key = await vault.OpenOrCreateAsync(Guid.Empty, subject, ct);
            material = _material.GetOrAdd(month, key.ExportMaterial());
        }
        return new DataKey(Guid.Empty, subject, material);
    }

    /// <summary>Destroys the keys of these months (each month's first instant): their events' IP addresses can no longer be read.</summary>
    public async Task DestroyAsync(IReadOnlyList<DateTimeOffset> months, CancellationToken ct)
    {
        await vault.DestroyAsync(Guid.Empty, months.Select(MonthSubject).ToList(), ct);
        foreach (var month in months) _material.TryRemove($"{month.UtcDateTime:yyyy-MM}", out _);
    }
}
