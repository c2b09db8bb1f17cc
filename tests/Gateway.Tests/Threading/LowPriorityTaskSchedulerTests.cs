using LlmGateway.Threading;

namespace LlmGateway.Tests.Threading;

/// <summary>Background work started on the scheduler stays on its niced threads, through every await.</summary>
public sealed class LowPriorityTaskSchedulerTests
{
    [Fact]
    public async Task Work_and_its_continuations_run_on_the_schedulers_threads_at_its_nice_value()
    {
        using var scheduler = new LowPriorityTaskScheduler("nice-test", threads: 2, nice: 7);
        var fromElsewhere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<(string? Thread, int? Nice)>();

        var work = scheduler.Run(async () =>
        {
            seen.Add((Thread.CurrentThread.Name, ThreadNice.Current()));
            await Task.Yield();
            seen.Add((Thread.CurrentThread.Name, ThreadNice.Current()));
            // Completed from a thread-pool thread: the continuation must still come back to the scheduler.
            await fromElsewhere.Task;
            seen.Add((Thread.CurrentThread.Name, ThreadNice.Current()));
        }, TestContext.Current.CancellationToken);

        _ = Task.Run(fromElsewhere.SetResult, TestContext.Current.CancellationToken);
        await work;

        Assert.Equal(3, seen.Count);
        Assert.All(seen, s => Assert.StartsWith("nice-test-", s.Thread, StringComparison.Ordinal));
        if (OperatingSystem.IsLinux())
        {
            Assert.All(seen, s => Assert.Equal(7, s.Nice));
        }
    }

    [Fact]
    public async Task The_callers_thread_keeps_its_own_nice_value()
    {
        var before = ThreadNice.Current();
        using var scheduler = new LowPriorityTaskScheduler("nice-test", threads: 1, nice: 12);
        await scheduler.Run(() => Task.CompletedTask, TestContext.Current.CancellationToken);
        Assert.Equal(before, ThreadNice.Current());
        Assert.NotEqual(12, before);
    }

    [Fact]
    public async Task A_failure_in_the_work_reaches_the_awaiter()
    {
        using var scheduler = new LowPriorityTaskScheduler("nice-test", threads: 1, nice: 10);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.Run(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom");
        }, TestContext.Current.CancellationToken));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public async Task Continuations_queued_after_dispose_still_run()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = new LowPriorityTaskScheduler("nice-test", threads: 1, nice: 10);
        var work = scheduler.Run(async () => await release.Task, TestContext.Current.CancellationToken);
        scheduler.Dispose();
        release.SetResult();
        await work.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(work.IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, -1)]
    [InlineData(1, 20)]
    public void Impossible_settings_are_refused(int threads, int nice) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LowPriorityTaskScheduler("nice-test", threads, nice).Dispose());
}
