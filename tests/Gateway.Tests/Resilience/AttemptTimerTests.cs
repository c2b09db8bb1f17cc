using System.Diagnostics;
using LlmGateway.Resilience;
using Microsoft.Extensions.Time.Testing;

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
        // The system's timers (which tick in whole milliseconds, the point of this test), with less than a millisecond
        // left: the timer rounds it down and fires at once, before the clock reaches the deadline. Read in the
        // cancellation callback, the moment it fires; repeated, because one early firing is enough.
        for (var i = 0; i < 20; i++)
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 8 / 10_000;
            using var timer = new AttemptTimer(firstByte: Long, idle: Long, deadline, TimeProvider.System, CancellationToken.None);
            var fired = new TaskCompletionSource<UpstreamTimeout>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (timer.Token.Register(() => fired.TrySetResult(timer.Fired)))
            {
                Assert.Equal(UpstreamTimeout.Total, await fired.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            }
        }
    }

    [Fact]
    public void A_first_byte_timeout_shorter_than_the_total_is_a_first_byte_timeout()
    {
        var time = new FakeTimeProvider();
        using var timer = new AttemptTimer(firstByte: TimeSpan.FromSeconds(5), idle: Long, Deadline(time, Long), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(timer.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(UpstreamTimeout.FirstByte, timer.Fired);
    }

    [Fact]
    public void Silence_is_measured_from_the_last_bytes_and_from_the_start_before_the_first()
    {
        // What tells a user's stop (bytes were coming) from a client's own timeout during a stall (they were not).
        var time = new FakeTimeProvider();
        using var timer = new AttemptTimer(firstByte: Long, idle: Long, Deadline(time, Long), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), timer.SilentFor);
        timer.Activity();
        time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal(TimeSpan.FromMilliseconds(40), timer.SilentFor);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(timer.SilentFor >= ResilientForwarder.ClientLeftSilence);
    }

    [Fact]
    public void Once_bytes_arrive_the_idle_timeout_is_what_fires()
    {
        var time = new FakeTimeProvider();
        using var timer = new AttemptTimer(firstByte: Long, idle: TimeSpan.FromSeconds(5), Deadline(time, Long), time, CancellationToken.None);

        timer.Activity();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(UpstreamTimeout.Idle, timer.Fired);
    }

    [Fact]
    public void While_the_client_takes_what_was_sent_only_the_total_runs_and_the_idle_timeout_starts_again_after()
    {
        var time = new FakeTimeProvider();
        using var timer = new AttemptTimer(firstByte: Long, idle: TimeSpan.FromSeconds(5), Deadline(time, TimeSpan.FromMinutes(1)), time, CancellationToken.None);

        timer.Writing();
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.False(timer.Token.IsCancellationRequested);

        timer.Activity();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(UpstreamTimeout.Idle, timer.Fired);
    }

    [Fact]
    public void A_client_write_that_outlasts_the_total_ends_as_a_total_timeout()
    {
        var time = new FakeTimeProvider();
        using var timer = new AttemptTimer(firstByte: Long, idle: TimeSpan.FromSeconds(5), Deadline(time, TimeSpan.FromMinutes(1)), time, CancellationToken.None);

        timer.Writing();
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(UpstreamTimeout.Total, timer.Fired);
    }

    [Fact]
    public async Task The_client_leaving_first_is_no_timeout()
    {
        var time = new FakeTimeProvider();
        using var client = new CancellationTokenSource();
        using var timer = new AttemptTimer(firstByte: Long, idle: Long, Deadline(time, Long), time, client.Token);

        await client.CancelAsync();

        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(UpstreamTimeout.None, timer.Fired);
    }

    [Fact]
    public void A_timer_that_ended_unfired_gives_its_source_back_reset()
    {
        // Pooling works on the system clock only (a source on any other clock cannot be reset): a pool of the test's own.
        var pool = new CancellationSourcePool(TimeProvider.System);
        var ended = new AttemptTimer(firstByte: Long, idle: Long, Deadline(TimeProvider.System, Long), TimeProvider.System, CancellationToken.None, pool);
        var endedToken = ended.Token;
        ended.Activity();
        ended.Dispose();

        using var next = new AttemptTimer(firstByte: Long, idle: Long, Deadline(TimeProvider.System, Long), TimeProvider.System, CancellationToken.None, pool);

        Assert.Equal(endedToken, next.Token);
        Assert.False(next.Token.IsCancellationRequested);
        // Late writes of the ended attempt's tap neither throw nor change what it reports.
        ended.Writing();
        ended.Activity();
        Assert.Equal(UpstreamTimeout.None, ended.Fired);
    }

    [Fact]
    public async Task A_timer_that_fired_keeps_its_verdict_and_its_source_is_not_reused()
    {
        var pool = new CancellationSourcePool(TimeProvider.System);
        var fired = new AttemptTimer(firstByte: TimeSpan.FromMilliseconds(1), idle: Long, Deadline(TimeProvider.System, Long), TimeProvider.System, CancellationToken.None, pool);
        var firedToken = fired.Token;
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (firedToken.Register(() => cancelled.TrySetResult()))
        {
            await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }

        fired.Dispose();
        using var next = new AttemptTimer(firstByte: Long, idle: Long, Deadline(TimeProvider.System, Long), TimeProvider.System, CancellationToken.None, pool);

        Assert.NotEqual(firedToken, next.Token);
        Assert.False(next.Token.IsCancellationRequested);
        Assert.Equal(UpstreamTimeout.FirstByte, fired.Fired);
    }

    [Fact]
    public void A_pool_on_another_clock_is_refused()
    {
        var pool = new CancellationSourcePool(new FakeTimeProvider());

        Assert.Throws<ArgumentException>(() => new AttemptTimer(Long, Long, Deadline(TimeProvider.System, Long), TimeProvider.System, CancellationToken.None, pool));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long Deadline(TimeProvider time, TimeSpan after) => time.GetTimestamp() + (long)(after.TotalSeconds * time.TimestampFrequency);
}
