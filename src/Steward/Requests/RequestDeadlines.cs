namespace Steward.Requests;

/// <summary>
/// The calendar rule of Art. 12(3), in one place: a month is a calendar month, ending on the same date of the
/// following month, or on that month's last day when the date does not exist there (31 January → 28 or 29
/// February); a deadline falling on a Saturday or a Sunday moves to the next Monday (Reg. 1182/71). Dates are UTC.
/// Public holidays are not yet counted.
/// </summary>
public static class RequestDeadlines
{
    public const int MaxExtensionMonths = 2;

    /// <summary>The deadline <paramref name="months"/> calendar months after receipt: 1 for the first, up to 3 once extended.</summary>
    public static DateOnly Due(DateTimeOffset receivedAt, int months = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        // always counted from receipt, never from an earlier deadline: 31 Jan + 3 = 30 Apr, not 28 Feb + 2 = 28 Apr
        var due = DateOnly.FromDateTime(receivedAt.UtcDateTime).AddMonths(months);
        return due.DayOfWeek switch
        {
            DayOfWeek.Saturday => due.AddDays(2),
            DayOfWeek.Sunday => due.AddDays(1),
            _ => due,
        };
    }

    /// <summary>overdue, due-soon (within <paramref name="soonDays"/>), on-time, or closed.</summary>
    public static string State(DateOnly dueOn, bool closed, DateTimeOffset now, int soonDays)
    {
        if (closed) return "closed";
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return today > dueOn ? "overdue" : dueOn.DayNumber - today.DayNumber <= soonDays ? "due-soon" : "on-time";
    }
}
