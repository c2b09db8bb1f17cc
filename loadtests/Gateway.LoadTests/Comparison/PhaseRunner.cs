using System.Diagnostics;
using System.Globalization;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Http;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// Runs one phase: each system warmed up first (the same load, long enough for tiered JIT and the connection pools,
/// never measured), then <see cref="CompareSettings.Rounds"/> interleaved rounds, each visiting every system for one
/// window. Interleaving spreads whatever else happens on the box over every system alike, where back-to-back runs
/// would charge it to whichever system ran then. Each system keeps one HTTP client (and so its warm connections) for
/// the whole phase. Every run is bounded by its duration, so the phase is bounded too. A process of the run that ends
/// mid-phase stops it (<paramref name="interrupt"/> is also cancelled by <see cref="ChildSupervisor.Lost"/>): the phase
/// keeps its complete windows, drops the one cut short, and says why it stopped.
/// </summary>
internal sealed class PhaseRunner(CompareSettings settings, IReadOnlyList<CompareTarget> targets, string apiKey, ChildSupervisor children, CancellationToken interrupt)
{
    private const string AllocatedMetric = "dotnet_gc_heap_total_allocated_bytes_total";

    // The runtime names the thread ".NET Tiered Compilation Worker"; Linux keeps its first 15 characters.
    private const string TieredCompilationThread = ".NET Tiered Com";
    private static readonly TimeSpan MemorySampleInterval = TimeSpan.FromMilliseconds(250);

    // Every mapping of two processes parsed each time: less often than the resident-set reads, on the generator's CPU.
    private static readonly TimeSpan SharedSampleInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxSettle = TimeSpan.FromSeconds(10);

    public async Task<PhaseResult> RunAsync(ComparePhase phase)
    {
        var clients = new Dictionary<string, HttpClient>(StringComparer.Ordinal);
        var samplers = new Dictionary<int, MemorySampler>();
        var pairs = new Dictionary<string, SharedResidentSampler>(StringComparer.Ordinal);
        try
        {
            foreach (var target in targets)
            {
                clients[target.System] = LoadHttpClientFactory.Create(Options(phase, target, phase.Load.DurationSeconds));
                foreach (var process in new[] { target.Process, target.Store }.OfType<IWatchedProcess>())
                {
                    if (!samplers.ContainsKey(process.Pid))
                    {
                        samplers[process.Pid] = new MemorySampler(process, MemorySampleInterval);
                    }
                }

                // Only where the RSS goal is read (prompt-chat): walking two processes' mappings takes their memory-map
                // locks, which could add to the latency the other phases measure.
                if (target.Store is { } storeProcess && phase.ScenarioName == ScenarioNames.PromptChat)
                {
                    pairs[target.System] = new SharedResidentSampler([target.Process, storeProcess], SharedSampleInterval);
                }
            }

            var warmups = new List<WarmupResult>();
            var windows = new List<WindowResult>();
            var rounds = 0;
            var lost = await children.GuardAsync(async () =>
            {
                foreach (var target in targets.TakeWhile(_ => !interrupt.IsCancellationRequested))
                {
                    children.Stage = $"{phase.Name}, warm-up of {target.System}";
                    warmups.Add(await WarmUpAsync(phase, target, clients[target.System]));
                }

                for (var round = 1; round <= settings.Rounds && !interrupt.IsCancellationRequested; round++)
                {
                    // Each round starts one system later: whatever a window leaves on the box (the next system's warm
                    // connections, a late GC) falls on every system in turn, not always on the one after it.
                    foreach (var target in InRoundOrder(targets, round).TakeWhile(_ => !interrupt.IsCancellationRequested))
                    {
                        children.Stage = string.Create(CultureInfo.InvariantCulture, $"{phase.Name}, round {round}, {target.System} window");
                        windows.Add(await MeasureAsync(phase, target, round, clients[target.System]));
                    }

                    rounds = interrupt.IsCancellationRequested ? rounds : round;
                }
            });

            var summaries = targets.Select(target => TargetSummary.From(
                target.System,
                ComparePhase.NameOf(phase.SentAs(target.System)),
                [.. windows.Where(w => w.System == target.System)],
                samplers.GetValueOrDefault(target.Process.Pid)?.PeakRssMb,
                target.Store is { } store ? samplers.GetValueOrDefault(store.Pid)?.PeakRssMb : null,
                LifetimePeak(target.Process),
                pairs.GetValueOrDefault(target.System)?.PeakMb)).ToList();

            return new PhaseResult(
                phase.Name,
                phase.ScenarioName,
                phase.Describe(),
                phase.IsOpenModel,
                phase.Load.Rate,
                phase.IsOpenModel ? null : phase.Load.Concurrency,
                phase.Load.WarmupSeconds,
                phase.Load.DurationSeconds,
                rounds,
                warmups,
                windows,
                summaries,
                Store: null,
                StoppedBy: lost?.Reason);
        }
        finally
        {
            foreach (var sampler in samplers.Values)
            {
                await sampler.DisposeAsync();
            }

            foreach (var pair in pairs.Values)
            {
                await pair.DisposeAsync();
            }

            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    private async Task<WarmupResult> WarmUpAsync(ComparePhase phase, CompareTarget target, HttpClient client)
    {
        var started = Stopwatch.GetTimestamp();
        long sent = 0, failed = 0;
        var seconds = phase.Load.WarmupSeconds;
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  [{phase.Name}] warm-up {target.System}: {seconds:0.##} s{settings.WarmupConditions()}"));
        double? jitRate = null;
        double? storeJitShare = null;
        var quietSlices = 0;
        while (!interrupt.IsCancellationRequested)
        {
            if (seconds > 0)
            {
                var before = await target.Process.ReadRuntimeStatsAsync();
                var storeJitBefore = StoreTieringCpu(target);
                var sliceStarted = Stopwatch.GetTimestamp();
                var report = await new LoadTest(Options(phase, target, seconds), sharedClient: client).RunAsync(interrupt);
                children.ThrowIfLost();
                var after = await target.Process.ReadRuntimeStatsAsync();
                var sliceSeconds = Stopwatch.GetElapsedTime(sliceStarted).TotalSeconds;
                jitRate = after.Since(before).JitCompiledMethods / sliceSeconds;
                storeJitShare = target.Store is null ? null : StoreJitShare(storeJitBefore, StoreTieringCpu(target), sliceSeconds);
                sent += report.Requests.Sent;
                failed += report.Requests.Failed;
            }

            // Topped up a slice at a time until the request count is reached and the JIT has settled (the system's own,
            // and a separate store's) for a few slices in a row, within a hard time bound: tiering comes in bursts, and
            // one quiet slice was often followed by hundreds of methods compiled in the first measured window.
            var enoughRequests = sent >= settings.WarmupRequests;
            var quiet = jitRate is { } rate && rate < settings.JitSettleMethodsPerSecond
                && (target.Store is null || (storeJitShare is { } share && share < CompareSettings.StoreJitSettleShare));
            quietSlices = quiet ? quietSlices + 1 : 0;
            var jitSettled = settings.JitSettleMethodsPerSecond <= 0 || quietSlices >= CompareSettings.QuietSlicesToSettle;
            if ((enoughRequests && jitSettled) || Stopwatch.GetElapsedTime(started).TotalSeconds >= CompareSettings.MaxWarmupSeconds)
            {
                break;
            }

            seconds = enoughRequests ? 2 : 1;
        }

        return new WarmupResult(target.System, Stopwatch.GetElapsedTime(started).TotalSeconds, sent, failed, jitRate, storeJitShare);
    }

    /// <summary>
    /// CPU ticks of a separate store's tiered-compilation thread (its JIT re-compiling hot methods) by thread id, or null
    /// without a separate store (or one gone). The store's runtime tiers up on its own schedule: it was still using half
    /// of the store's CPU 40 s into a prompt-chat load, long after the gateway's JIT had settled, and nearly nothing after
    /// two minutes.
    /// </summary>
    private static Dictionary<int, long>? StoreTieringCpu(CompareTarget target)
    {
        if (target.Store is not { } store)
        {
            return null;
        }

        try
        {
            return ProcessCpu.ReadThreads(store.Pid, TieredCompilationThread);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The share of a core the store's JIT thread used over a slice. Null when unknown (the thread ended within the
    /// slice and took its count with it), which a warm-up does not take for quiet; 0 when the store could not be read
    /// at all (it is gone: nothing to wait for, and the run's errors will say so).
    /// </summary>
    private static double? StoreJitShare(Dictionary<int, long>? before, Dictionary<int, long>? after, double seconds) =>
        before is null || after is null ? 0
        : ProcessCpu.ThreadsSince(before, after) is { } used ? used.TotalSeconds / seconds
        : null;

    private async Task<WindowResult> MeasureAsync(ComparePhase phase, CompareTarget target, int round, HttpClient client)
    {
        var loadAverage = MachineInfo.LoadAverageNow();

        // The scrape comes before the "before" reading and after the "after" one, so its CPU and (own-counter)
        // allocations stay out of the window.
        var metricBefore = target.Metrics is { } metrics ? await metrics.MetricSumAsync(AllocatedMetric) : (double?)null;
        var before = await CostReading.TakeAsync(target);
        var report = await new LoadTest(Options(phase, target, phase.Load.DurationSeconds), sharedClient: client).RunAsync(interrupt);

        // A window cut short by a process ending is no window: its figures are the dead port's.
        children.ThrowIfLost();
        if (settings.CooldownSeconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(settings.CooldownSeconds), CancellationToken.None);
        }

        var settled = await SettleAsync(target);
        var after = await CostReading.TakeAsync(target);
        var metricAfter = target.Metrics is { } probe ? await probe.MetricSumAsync(AllocatedMetric) : (double?)null;

        var window = new WindowResult(
            round,
            target.System,
            ComparePhase.NameOf(phase.SentAs(target.System)),
            loadAverage,
            (after.Cpu - before.Cpu).TotalSeconds,
            after.StoreCpu is { } storeAfter && before.StoreCpu is { } storeBefore ? (storeAfter - storeBefore).TotalSeconds : null,
            (after.GeneratorCpu - before.GeneratorCpu).TotalSeconds,
            after.Runtime.Since(before.Runtime),
            // Both zero: the metric is not exported (Prometheus off), which is not "allocated nothing".
            metricBefore is { } mb && metricAfter is { } ma && ma > 0 ? ma - mb : null,
            report,
            settled);
        await Console.Error.WriteLineAsync(Progress(phase, window));
        return window;
    }

    /// <summary><c>VmHWM</c> now; 0 for a process that has ended (its exit is what the phase reports).</summary>
    private static double LifetimePeak(ChildProcess process)
    {
        try
        {
            return process.ReadMemory().PeakRssMb;
        }
        catch (ChildExitedException)
        {
            return 0;
        }
    }

    /// <summary>The targets of a round, rotated by one per round: round 1 in the order given, round 2 from the second.</summary>
    internal static IEnumerable<CompareTarget> InRoundOrder(IReadOnlyList<CompareTarget> targets, int round) =>
        targets.Count == 0 ? [] : targets.Skip((round - 1) % targets.Count).Concat(targets.Take((round - 1) % targets.Count));

    /// <summary>
    /// After the cool-down, waits until the system (and its separate store) use less than <see cref="QuietWait.SettledCores"/>
    /// over half a second, at most <see cref="MaxSettle"/>: the gateway's work for the window's requests goes on after
    /// the last answer (the online evaluator scoring the window's samples, the usage and sample writers' batches), and
    /// read before it ended that CPU was charged to no window, and spent in the next system's.
    /// </summary>
    /// <returns>The seconds waited.</returns>
    private Task<double> SettleAsync(CompareTarget target) =>
        QuietWait.UntilQuietAsync(() => target.Process.ReadCpuTime() + (target.Store?.ReadCpuTime() ?? TimeSpan.Zero), MaxSettle, interrupt);

    private LoadTestOptions Options(ComparePhase phase, CompareTarget target, double seconds) =>
        (phase.Load with { WarmupSeconds = 0, DurationSeconds = seconds })
            .ToOptions(target.Url, apiKey, phase.SentAs(target.System), phase.Headers, phase.ExpectedChunks);

    private string Progress(ComparePhase phase, WindowResult window)
    {
        var r = window.Report;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"  [{phase.Name}] round {window.Round}/{settings.Rounds} {window.System,-9}: {r.ThroughputPerSecond,9:N1} req/s, p99 {r.Latency?.P99Ms ?? 0,8:0.000} ms, "
            + $"CPU {window.CpuMicrosecondsPerRequest ?? 0,7:0.0} µs/req (settled {window.SettleSeconds:0.0} s), alloc {(window.AllocatedBytesPerRequest is { } alloc ? (alloc / 1024).ToString("0.00", CultureInfo.InvariantCulture) : "n/a"),6} KB/req, {r.Requests.Failed} failed");
    }
}
