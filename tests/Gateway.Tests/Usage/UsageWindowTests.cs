using CsCheck;
using LlmGateway.Usage;

namespace LlmGateway.Tests.Usage;

/// <summary>Which counters a usage query reads: the buckets that start in a half-open window, and the hours for old minutes.</summary>
public sealed class UsageWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 34, 56, TimeSpan.Zero);

    [Fact]
    public void Back_to_back_daily_reports_read_every_hour_once()
    {
        var day1 = UsageWindow.For(Midnight(1), Midnight(2), Now);
        var day2 = UsageWindow.For(Midnight(2), Midnight(3), Now);

        Assert.False(day1.ByMinute);
        Assert.Equal(24 * 60, day1.EndMinute - day1.FirstMinute);
        Assert.Equal(day1.EndMinute, day2.FirstMinute);
        Assert.Equal((Midnight(1), Midnight(2)), (day1.From, day1.To));
    }

    [Fact]
    public void Back_to_back_hours_read_sixty_minutes_each()
    {
        var ten = At(10);
        var first = UsageWindow.For(ten, ten.AddHours(1), Now);
        var second = UsageWindow.For(ten.AddHours(1), ten.AddHours(2), Now);

        Assert.True(first.ByMinute);
        Assert.Equal(60, first.EndMinute - first.FirstMinute);
        Assert.Equal(first.EndMinute, second.FirstMinute);
    }

    [Fact]
    public void A_window_reads_the_buckets_that_start_in_it_and_says_so()
    {
        var from = At(10).AddSeconds(30);
        var to = At(10).AddMinutes(2).AddMilliseconds(1);

        var window = UsageWindow.For(from, to, Now);

        Assert.Equal((At(10).AddMinutes(1), At(10).AddMinutes(3)), (window.From, window.To));
    }

    [Fact]
    public void Back_to_back_days_that_start_mid_hour_share_no_hour()
    {
        // Days in UTC+05:30 begin at 18:30Z: the 18:00Z hour holds both days' boundary, and was read by both.
        var offset = TimeSpan.FromHours(5.5);
        var day1 = UsageWindow.For(Midnight(1).Subtract(offset), Midnight(2).Subtract(offset), Now);
        var day2 = UsageWindow.For(Midnight(2).Subtract(offset), Midnight(3).Subtract(offset), Now);

        Assert.Equal(day1.EndMinute, day2.FirstMinute);
        Assert.Equal(24 * 60, day1.EndMinute - day1.FirstMinute);
    }

    [Fact]
    public void Back_to_back_windows_at_any_alignment_never_read_a_minute_twice()
    {
        // Any three instants in the last week: two windows of one granularity never share a bucket at any alignment;
        // of different granularities (an hourly window beside a minute one), when their boundary is on a whole hour.
        var week = (long)TimeSpan.FromDays(7).TotalMilliseconds;
        Gen.Select(Gen.Long[0, week], Gen.Long[0, week], Gen.Long[0, week], Gen.Bool).Sample((x, y, z, onTheHour) =>
        {
            var at = new[] { x, y, z }.OrderDescending().Select(v => Now.AddMilliseconds(-v)).ToArray();
            if (onTheHour)
            {
                at[1] = new DateTimeOffset(at[1].Year, at[1].Month, at[1].Day, at[1].Hour, 0, 0, TimeSpan.Zero);
                at[0] = at[0] < at[1] ? at[0] : at[1];
            }

            var first = UsageWindow.For(at[0], at[1], Now);
            var second = UsageWindow.For(at[1], at[2], Now);
            if (first.ByMinute != second.ByMinute && !onTheHour)
            {
                return true;
            }

            return first.EndMinute <= second.FirstMinute
                && first.FirstMinute <= first.EndMinute && second.FirstMinute <= second.EndMinute
                && first.From >= at[0] && first.From < at[0].AddMinutes(first.Step)
                && second.To >= at[2] && second.To < at[2].AddMinutes(second.Step);
        });
    }

    [Fact]
    public void A_short_window_older_than_the_minutes_retention_reads_the_hours()
    {
        var threeDaysAgo = Now.AddDays(-3);

        var old = UsageWindow.For(threeDaysAgo, threeDaysAgo.AddHours(2), Now);
        var recent = UsageWindow.For(Now.AddHours(-2), Now, Now);

        Assert.False(old.ByMinute);
        Assert.True(recent.ByMinute);
    }

    [Fact]
    public void An_empty_window_reads_nothing()
    {
        var window = UsageWindow.For(Now, Now, Now);

        Assert.Equal(window.FirstMinute, window.EndMinute);
    }

    private static DateTimeOffset Midnight(int day) => new(2026, 12, day, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An hour of Now's UTC day.</summary>
    private static DateTimeOffset At(int hour) => new(2026, 12, 6, hour, 0, 0, TimeSpan.Zero);
}
