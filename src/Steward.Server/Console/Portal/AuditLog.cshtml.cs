using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Audit;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The audit log of the client's own data, oldest first within a period of days, a page at a time
/// (<see cref="ReadAccessLog"/>, as GET …/access-log with from, to and after; the same right, <see cref="Rights.AuditLog"/>).
/// </summary>
public sealed class AuditLogModel(ReadAccessLog read) : PortalPage
{
    public const int PageSize = 50;
    public string? From { get; private set; }
    public string? To { get; private set; }
    public List<ReadAccessLog.Entry> Entries { get; private set; } = [];
    public long? NextAfter { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? from, string? to, long? after, CancellationToken ct)
    {
        if (!May(Rights.AuditLog)) return RefuseRight();
        (From, To) = (from, to);
        var start = Day(from, "from");
        var end = Day(to, "to")?.AddDays(1); // the last day is included
        if (!ModelState.IsValid) return Page();
        var result = await read.HandleAsync(Caller.ClientId, start, end, after, PageSize, ct);
        if (result.Error is { } error) ToModelState(error);
        else (Entries, NextAfter) = (result.Value!.Items, result.Value.NextAfter);
        return Page();
    }

    /// <summary>The next page's address, keeping the filter.</summary>
    public string NextPage() => $"?from={Uri.EscapeDataString(From ?? "")}&to={Uri.EscapeDataString(To ?? "")}&after={NextAfter}";

    private DateTimeOffset? Day(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        ModelState.AddModelError(field, "A date as YYYY-MM-DD.");
        return null;
    }
}
