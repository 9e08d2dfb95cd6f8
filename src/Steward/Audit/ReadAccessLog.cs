using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Audit;

/// <summary>
/// A client's access log (G-19, G-47, P-22): the kept audit events of that client, oldest first within the period.
/// For the client itself and for an auditor it appointed (read only, time-boxed grant). IP addresses stay sealed.
/// </summary>
public sealed class ReadAccessLog(StewardDb db)
{
    public sealed record Entry(long Seq, DateTimeOffset At, string ActorType, string? ActorId, string Action, string? ResourceType,
        string? ResourceId, string Outcome, int Status, string? Reason);
    public sealed record Page(List<Entry> Items, long? NextAfter);

    public async Task<Result<Page>> HandleAsync(Guid clientId, DateTimeOffset? from, DateTimeOffset? to, long? after, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 1000) return Errors.Invalid("limit", "Between 1 and 1000.");
        if (from > to) return Errors.Invalid("from", "The period starts after it ends.");
        // PostgreSQL stores instants in UTC and refuses a parameter at another offset ("…+14:00")
        (from, to) = (from?.ToUniversalTime(), to?.ToUniversalTime());
        var take = limit ?? 200;
        var query = db.AuditEvents.AsNoTracking().Where(e => e.ClientId == clientId && e.Seq > (after ?? 0));
        if (from is { } f) query = query.Where(e => e.At >= f);
        if (to is { } t) query = query.Where(e => e.At < t);
        var items = await query.OrderBy(e => e.Seq).Take(take + 1)
            .Select(e => new Entry(e.Seq, e.At, e.ActorType, e.ActorId, e.Action, e.ResourceType, e.ResourceId, e.Outcome, e.Status, e.Reason))
            .ToListAsync(ct);
        var more = items.Count > take;
        if (more) items.RemoveAt(take);
        return new Page(items, more ? items[^1].Seq : null);
    }
}
