using System.Diagnostics;
using LlmGateway.LoadTests.Comparison;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Hosting;
using LlmGateway.LoadTests.Options;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.LoadHarness;

/// <summary>
/// The load-test harness's children (the gateway, its store, bare YARP, the mock) can die mid-run: the run stops at
/// once, says which process ended, with its exit code and last lines, and still stops the others, instead of throwing
/// or sending the rest of its window to a dead port.
/// </summary>
public sealed class ChildSupervisorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_child_that_dies_instead_of_answering_is_reported_with_its_exit_code_and_last_lines()
    {
        var logs = Directory.CreateTempSubdirectory("loadtests-child-");
        try
        {
            await using var children = new ChildSupervisor();

            // Ready, then asked for its counters, it dies the way a crashing child does: a last word on stderr, a code.
            var start = new ProcessStartInfo("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"echo started; echo {ChildHost.ReadyMarker}; read line; echo 'fatal: out of memory' >&2; exit 3");
            var child = children.Watch(await ChildProcess.StartAsync(ChildHost.Mock, start, logs.FullName));
            await using (child)
            {
                children.Stage = "chat-c2, round 1, direct window";
                var loss = await children.GuardAsync(() => child.ReadRuntimeStatsAsync()).WaitAsync(TimeSpan.FromSeconds(30), Ct);

                Assert.NotNull(loss);
                Assert.True(children.Lost.IsCancellationRequested);
                var exit = Assert.Single(loss.Exits);
                Assert.Equal(ChildHost.Mock, exit.Role);
                Assert.Equal(3, exit.ExitCode);
                Assert.Null(exit.Parent);
                Assert.Equal("chat-c2, round 1, direct window", exit.During);
                Assert.Equal(["started", "fatal: out of memory"], exit.LogTail);
                Assert.Contains($"the mock child process (pid {child.Pid}) exited with code 3 during chat-c2, round 1, direct window", loss.Reason, StringComparison.Ordinal);
                Assert.Contains("fatal: out of memory", loss.ToMarkdown(), StringComparison.Ordinal);
            }
        }
        finally
        {
            logs.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_child_the_harness_stops_has_ended_when_its_dispose_returns()
    {
        // The runtime can see a process gone (HasExited) before it raises Exited on the thread pool, and disposing the
        // process unhooks that event: the end must not depend on the event having run first.
        var logs = Directory.CreateTempSubdirectory("loadtests-stop-");
        try
        {
            for (var i = 0; i < 40; i++)
            {
                var start = new ProcessStartInfo("/bin/sh");
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add($"echo {ChildHost.ReadyMarker}; cat > /dev/null");
                var child = await ChildProcess.StartAsync(ChildHost.Mock, start, logs.FullName);

                await child.DisposeAsync();

                Assert.True(child.Ended.IsCompleted, $"stop {i}: the child's end was not recorded");
                Assert.Equal(0, await child.Ended);
                Assert.False(child.EndedUnasked);
            }
        }
        finally
        {
            logs.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_store_its_parent_started_is_seen_gone_through_proc_with_the_code_its_parent_logged()
    {
        var logs = Directory.CreateTempSubdirectory("loadtests-store-");
        try
        {
            await using var children = new ChildSupervisor();

            // The gateway's part, played by a shell: it starts its "store", then logs the store's exit as the gateway does.
            var start = new ProcessStartInfo("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"sleep 300 & echo {ChildHost.ReadyMarker}; wait $!; echo \"The embedded store process $! exited with code $? while the gateway runs\"; read line");
            var gateway = children.Watch(await ChildProcess.StartAsync(ChildHost.Gateway, start, logs.FullName));
            await using (gateway)
            {
                DescendantProcess? store = null;
                Assert.True(await Eventually.TrueAsync(() => Task.FromResult((store = DescendantProcess.FindChild(gateway.Pid, "300")) is not null), TimeSpan.FromSeconds(30)));
                children.WatchDescendant(store!, gateway);
                children.Stage = "prompt-chat-c32, round 3, gateway window";
                using (var process = Process.GetProcessById(store!.Pid))
                {
                    process.Kill();
                }

                var loss = await children.GuardAsync(() => Task.Delay(Timeout.Infinite, children.Lost)).WaitAsync(TimeSpan.FromSeconds(30), Ct);

                var exit = Assert.Single(loss!.Exits);
                Assert.Equal((ChildHost.Store, store.Pid, ChildHost.Gateway, 137), (exit.Role, exit.Pid, exit.Parent, exit.ExitCode));
                Assert.Equal("prompt-chat-c32, round 3, gateway window", exit.During);
                Assert.Equal(gateway.LogPath, exit.LogPath);
                Assert.Contains($"The embedded store process {store.Pid} exited with code 137 while the gateway runs", exit.LogTail);
                Assert.StartsWith($"the gateway's store process (pid {store.Pid}, started by the gateway) exited with code 137", loss.Reason, StringComparison.Ordinal);
                Assert.Throws<ChildExitedException>(() => store.ReadCpuTime());
                Assert.False(gateway.Ended.IsCompleted);
            }
        }
        finally
        {
            logs.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_child_killed_during_a_compare_window_stops_the_phase_at_once_and_the_others_are_still_stopped()
    {
        var logs = Directory.CreateTempSubdirectory("loadtests-bed-");
        try
        {
            var bed = await TestBed.StartAsync(yarp: true, gateway: false, logDirectory: logs.FullName);
            var yarp = bed.Yarp!;
            try
            {
                // One ten-minute window against bare YARP; its upstream, the mock, is killed as it starts.
                var load = new LoadShape(Rate: null, Concurrency: 2, WarmupSeconds: 0, DurationSeconds: 600, MaxInFlight: 100);
                ComparePhase[] phases = [CompareSuite.Single(ScenarioKind.Chat, load, chunks: 1, chunkDelayMs: 0)];
                var settings = new CompareSettings(Rounds: 1, WarmupRequests: 0, JitSettleMethodsPerSecond: 0, CooldownSeconds: 0, [SystemNames.YarpBare], StoreMode.Embedded);
                var run = CompareRun.RunAsync(bed, phases, settings, Ct);
                Assert.True(await Eventually.TrueAsync(() => Task.FromResult(bed.Children.Stage.Contains("round 1", StringComparison.Ordinal)), TimeSpan.FromSeconds(60)));
                using (var mock = Process.GetProcessById(bed.Mock.Pid))
                {
                    mock.Kill();
                }

                var results = await run.WaitAsync(TimeSpan.FromSeconds(60), Ct);

                var phase = Assert.Single(results);
                Assert.Empty(phase.Windows);
                Assert.Equal(0, phase.RoundsCompleted);
                Assert.NotNull(phase.StoppedBy);
                Assert.Contains($"the mock child process (pid {bed.Mock.Pid}) exited with code 137", phase.StoppedBy, StringComparison.Ordinal);
                Assert.Contains("during chat-c2, round 1, yarp-bare window", phase.StoppedBy, StringComparison.Ordinal);
                var loss = await bed.Children.LossAsync();
                var exit = Assert.Single(loss!.Exits);
                Assert.Equal((ChildHost.Mock, 137), (exit.Role, exit.ExitCode));
                Assert.Equal(Path.Combine(logs.FullName, "mock.log"), exit.LogPath);
                Assert.False(yarp.Ended.IsCompleted);
            }
            finally
            {
                await bed.DisposeAsync();
            }

            // Bare YARP, which did not die, was stopped as it is at the end of every run, and not reported.
            Assert.True(yarp.Ended.IsCompleted);
            Assert.False(yarp.EndedUnasked);
        }
        finally
        {
            logs.Delete(recursive: true);
        }
    }
}
