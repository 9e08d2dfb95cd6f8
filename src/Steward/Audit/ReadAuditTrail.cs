using Microsoft.EntityFrameworkCore;
using Steward.Data;
using Steward.Http;

namespace Steward.Audit;

/// <summary>
/// The whole audit trail for the DPO and the CEO (G-47, P-22), newest first, a page at a time: filtered by actor, action,
/// client and period. An action matches itself and its refinements ("StaffSignIn" also finds "StaffSignIn:wrong-code").
/// IP addresses stay sealed.
/// </summary>
public sealed class ReadAuditTrail(StewardDb db)
{
    public sealed record Filter(string? Actor, string? Action, Guid? Client, DateTimeOffset? From, DateTimeOffset? To, long? Before, int? Limit);
    public sealed record Entry(long Seq, DateTimeOffset At, string ActorType, string? ActorId, Guid? ClientId, string Action, string? ResourceType,
        string? ResourceId, string Outcome, int Status, string? Reason);
    /// <param name="NextBefore">The <c>before</c> of the next (older) page, or null on the last.</param>
    public sealed record Page(List<Entry> Items, long? NextBefore);

    public async Task<Result<Page>> HandleAsync(Filter filter, CancellationToken ct)
    {
        var problems = new Problems();
        if (filter.Limit is < 1 or > 1000) problems.Add("limit", "Between 1 and 1000.");
        if (filter.From > filter.To) problems.Add("from", "The period starts after it ends.");
        if (filter.Actor is { Length: > 100 }) problems.Add("actor", "An actor id has at most 100 characters.");
        if (filter.Action is { Length: > 100 }) problems.Add("action", "An action has at most 100 characters.");
        // ids and action names never hold control characters, and PostgreSQL refuses a NUL in text outright
        if (filter.Actor?.Any(char.IsControl) == true) problems.Add("actor", "An actor id has no control characters.");
        if (filter.Action?.Any(char.IsControl) == true) problems.Add("action", "An action has no control characters.");
        if (problems.Any) return Errors.Invalid(problems);

        var query = db.AuditEvents.AsNoTracking();
        if (filter.Before is { } before) query = query.Where(e => e.Seq < before);
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var actor = filter.Actor.Trim();
            query = query.Where(e => e.ActorId == actor);
        }
        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            var action = filter.Action.Trim();
            var refined = action + ":";
            query = query.Where(e => e.Action == action || e.Action.StartsWith(refined));
        }
        if (filter.Client is { } client) query = query.Where(e => e.ClientId == client);
        // PostgreSQL stores instants in UTC and refuses a parameter at another offset
        if (filter.From?.ToUniversalTime() is { } from) query = query.Where(e => e.At >= from);
        if (filter.To?.ToUniversalTime() is { } to) query = query.Where(e => e.At < to);
        var take = filter.Limit ?? 50;
        var items = await query.OrderByDescending(e => e.Seq).Take(take + 1)
            .Select(e => new Entry(e.Seq, e.At, e.ActorType, e.ActorId, e.ClientId, e.Action, e.ResourceType, e.ResourceId, e.Outcome, e.Status, e.Reason))
            .ToListAsync(ct);
        var more = items.Count > take;
        if (more) items.RemoveAt(take);
        return new Page(items, more ? items[^1].Seq : null);
    }
}
