using System.Diagnostics;
using LlmGateway.Resilience;

namespace LlmGateway.Tests.Resilience;

/// <summary>
/// Which timer ended an attempt decides whether it is retried: a total timeout never is. .NET timers tick in whole
/// milliseconds and may fire before the clock reaches the deadline, so the cause must be the one the timer was armed
/// with, not what the clock says once it fired (CI once saw a total timeout taken for a first-byte one, retried ten
/// times and then sent to a fallback).
/// </summary>
public sealed class AttemptTimerTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_timer_armed_with_what_is_left_of_the_total_reports_the_total_even_when_it_fires_early()
    {
        // Less than a millisecond left: the timer rounds it down and fires at once, before the clock reaches the
        // deadline. Read in the cancellation callback, the moment it fires; repeated, because one early firing is enough.
        for (var i = 0; i < 20; i++)
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 8 / 10_000;
            using var timer = new AttemptTimer(firstByte: Long, idle: Long, deadline, CancellationToken.None);
            var fired = new TaskCompletionSource<UpstreamTimeout>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (timer.Token.Register(() => fired.TrySetResult(timer.Fired)))
            {
                Assert.Equal(UpstreamTimeout.Total, await fired.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            }
        }
    }

    [Fact]
    public async Task A_first_byte_timeout_shorter_than_the_total_is_a_first_byte_timeout()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Long.TotalSeconds * Stopwatch.Frequency);
        using var timer = new AttemptTimer(firstByte: TimeSpan.FromMilliseconds(5), idle: Long, deadline, CancellationToken.None);

        await WhenCancelled(timer.Token);

        Assert.Equal(UpstreamTimeout.FirstByte, timer.Fired);
    }

    [Fact]
    public async Task Once_bytes_arrive_the_idle_timeout_is_what_fires()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Long.TotalSeconds * Stopwatch.Frequency);
        using var timer = new AttemptTimer(firstByte: Long, idle: TimeSpan.FromMilliseconds(5), deadline, CancellationToken.None);

        timer.Activity();
        await WhenCancelled(timer.Token);

        Assert.Equal(UpstreamTimeout.Idle, timer.Fired);
    }

    [Fact]
    public async Task The_client_leaving_first_is_no_timeout()
    {
        using var client = new CancellationTokenSource();
        var deadline = Stopwatch.GetTimestamp() + (long)(Long.TotalSeconds * Stopwatch.Frequency);
        using var timer = new AttemptTimer(firstByte: Long, idle: Long, deadline, client.Token);

        await client.CancelAsync();

        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(UpstreamTimeout.None, timer.Fired);
    }

    private static Task WhenCancelled(CancellationToken token) =>
        Task.Delay(Timeout.Infinite, token).ContinueWith(static _ => { }, TestContext.Current.CancellationToken, TaskContinuationOptions.None, TaskScheduler.Default)
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
}
