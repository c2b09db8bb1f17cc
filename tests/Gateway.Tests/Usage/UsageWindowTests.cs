using LlmGateway.Usage;

namespace LlmGateway.Tests.Usage;

/// <summary>Which counters a usage query reads: half-open windows, whole buckets, and the hours for old minutes.</summary>
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
    public void A_window_is_widened_to_whole_buckets_and_says_so()
    {
        var from = At(10).AddSeconds(30);
        var to = At(10).AddMinutes(2).AddMilliseconds(1);

        var window = UsageWindow.For(from, to, Now);

        Assert.Equal((At(10), At(10).AddMinutes(3)), (window.From, window.To));
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
