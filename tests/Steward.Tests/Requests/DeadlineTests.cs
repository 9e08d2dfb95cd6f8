using Steward.Requests;

namespace Steward.Tests.Requests;

/// <summary>The calendar rule of Art. 12(3), with no database: one function owns it.</summary>
public sealed class DeadlineTests
{
    [Theory]
    [InlineData("2026-03-10T10:00:00Z", 1, "2026-04-10")] // same date next month, a Friday
    [InlineData("2028-01-31T10:00:00Z", 1, "2028-02-29")] // no 31 February: the month's last day, in a leap year
    [InlineData("2027-01-31T10:00:00Z", 1, "2027-03-01")] // 28 February 2027 is a Sunday: the next Monday
    [InlineData("2026-01-31T10:00:00Z", 1, "2026-03-02")] // 28 February 2026 is a Saturday: the next Monday
    [InlineData("2026-10-07T10:00:00Z", 1, "2026-11-09")] // 7 November 2026 is a Saturday
    [InlineData("2027-01-31T10:00:00Z", 3, "2027-04-30")] // extended: three months from receipt, not two from 28 February
    [InlineData("2026-03-10T23:30:00-02:00", 1, "2026-04-13")] // received 11 March UTC; 11 April is a Saturday
    public void Art12_3_the_deadline_is_one_calendar_month_from_receipt_clamped_to_month_end_and_moved_off_weekends(string received, int months, string due) =>
        Assert.Equal(DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
            RequestDeadlines.Due(DateTimeOffset.Parse(received, System.Globalization.CultureInfo.InvariantCulture), months));

    [Fact]
    public void Art12_3_open_requests_are_overdue_after_their_due_day_and_due_soon_within_the_window()
    {
        var due = new DateOnly(2026, 11, 10);
        Assert.Equal("on-time", RequestDeadlines.State(due, false, new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero), 7));
        Assert.Equal("due-soon", RequestDeadlines.State(due, false, new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.Zero), 7));
        Assert.Equal("due-soon", RequestDeadlines.State(due, false, new DateTimeOffset(2026, 11, 10, 23, 59, 0, TimeSpan.Zero), 7));
        Assert.Equal("overdue", RequestDeadlines.State(due, false, new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero), 7));
        Assert.Equal("closed", RequestDeadlines.State(due, true, new DateTimeOffset(2026, 12, 11, 0, 0, 0, TimeSpan.Zero), 7));
    }
}
