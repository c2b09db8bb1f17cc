using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LlmGateway.LoadTests.Comparison;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Http;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// Measures one gateway with both arms, as <c>compare</c> measures systems: the byte check first (a few requests, before
/// any load), then each arm warmed up at the measured rate, then <see cref="ShadowSettings.Rounds"/> rounds of one window
/// per arm, the order alternating (A → B, B → A, …). After each window a cool-down and a drain, so arm A's last copies are
/// answered and counted before B's window starts, then a settle, so the next window does not inherit this one's samples
/// to write and score. Each arm keeps one HTTP client, so its connections stay warm. Every wait is bounded, so the whole
/// measurement is too. A process of the bed that ends stops it (<see cref="ChildSupervisor"/>): the windows so far are
/// kept, the one cut short is not, and the goal is not met, with the reason.
/// </summary>
internal sealed class ShadowRunner(TestBed bed, ShadowSettings settings, CancellationToken interrupt)
{
    // Ctrl+C, or a process of the bed ending.
    private readonly CancellationTokenSource _stop = bed.Children.StopOn(interrupt);

    private static readonly TimeSpan DrainQuiet = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxWindowDrain = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxFinalDrain = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxSettle = TimeSpan.FromSeconds(30);

    // The usage writer batches about a second of counters before writing them.
    private static readonly TimeSpan UsageFlush = TimeSpan.FromSeconds(1.5);

    public async Task<ShadowReport> RunAsync(string command, MachineInfo machine, DateTimeOffset startedAt)
    {
        var gateway = bed.GatewayUrl!;
        var children = bed.Children;
        var stop = _stop.Token;
        using var probe = new GatewayProbe(gateway);
        var release = "(not set up: a process of the run ended first)";
        var checks = new List<ByteIdentityResult>();
        var warmups = new List<ShadowWarmup>();
        var windows = new List<ShadowWindow>();
        ShadowTotals? totals = null;
        IReadOnlyList<UsageGroup> usage = [];
        var recorders = ShadowArm.Both.ToDictionary(a => a.Label, _ => new ArmRecorder(), StringComparer.Ordinal);
        var clients = ShadowArm.Both.ToDictionary(a => a.Label, a => LoadHttpClientFactory.Create(Options(a, settings.WindowSeconds)), StringComparer.Ordinal);
        try
        {
            var loss = await children.GuardAsync(async () =>
            {
                children.Stage = "the shadow set-up";
                await Console.Error.WriteLineAsync("shadow: pushing both prompts and starting the shadow step on A...");
                release = await ShadowSetUp.RunAsync(bed);
                await Console.Error.WriteLineAsync($"shadow: A's release: {release}");

                foreach (var stream in (bool[])[false, true])
                {
                    children.Stage = "the byte check";
                    var check = await ByteIdentityCheck.RunAsync(gateway, bed.ApiKey, probe, stream, settings.IdentityPairs);
                    checks.Add(check);
                    await Console.Error.WriteLineAsync($"shadow: byte check ({check.Kind}): {check.IdenticalBodies}/{check.Pairs} bodies and {check.IdenticalHeaders}/{check.Pairs} header sets identical; {check.CopiesAnswered} copies answered");
                }

                var start = await ShadowCounters.ReadAsync(probe);
                foreach (var arm in ShadowArm.Both.TakeWhile(_ => !stop.IsCancellationRequested))
                {
                    children.Stage = $"the warm-up of arm {arm.Label}";
                    var before = await ShadowCounters.ReadAsync(probe);
                    var warmup = await WarmUpAsync(arm, recorders[arm.Label], clients[arm.Label]);
                    await DrainAsync(probe, MaxFinalDrain);
                    await SettleAsync();
                    var copies = (await ShadowCounters.ReadAsync(probe)).Since(before);
                    warmups.Add(warmup with { Copies = copies.Calls });
                    await Console.Error.WriteLineAsync($"  warm-up {arm.Label}: {warmup.Sent:N0} sent, {warmup.Failed} failed, {warmup.Dropped} dropped; copies {copies.DescribeCalls()}");
                }

                for (var round = 1; round <= settings.Rounds && !stop.IsCancellationRequested; round++)
                {
                    var order = ShadowArm.OrderOf(round);
                    for (var position = 0; position < order.Count && !stop.IsCancellationRequested; position++)
                    {
                        var arm = order[position];
                        children.Stage = string.Create(CultureInfo.InvariantCulture, $"round {round}, arm {arm.Label}'s window");
                        windows.Add(await MeasureAsync(arm, round, position + 1, probe, recorders[arm.Label], clients[arm.Label]));
                    }
                }

                children.Stage = "the final drain and readings";
                await DrainAsync(probe, MaxFinalDrain);
                var end = await ShadowCounters.ReadAsync(probe);
                var span = end.Since(start);
                var shadowed = recorders[ShadowArm.WithShadow.Label];
                totals = new ShadowTotals(
                    shadowed.Succeeded,
                    recorders[ShadowArm.WithoutShadow.Label].Succeeded,
                    span.Calls,
                    shadowed.Succeeded - span.AnsweredCalls - span.OtherCalls,
                    span.SamplesTaken,
                    span.SamplesDropped,
                    end.Calls);
                usage = await ReadUsageAsync(gateway, startedAt);
            });

            var arms = ShadowArm.Both.Select(arm => Summarize(arm, [.. windows.Where(w => w.Arm == arm.Label)], recorders[arm.Label])).ToList();
            var goal = ShadowGoalEvaluator.WithByteIdentity(ShadowGoalEvaluator.Evaluate(settings, arms, windows), checks);
            if (loss is not null)
            {
                await Console.Error.WriteLineAsync($"shadow: stopped: {loss.Reason}");
                goal = ShadowGoalEvaluator.WithLoss(goal, loss);
            }

            return new ShadowReport(startedAt, command, machine, settings, release, checks, warmups, windows, arms, goal, totals ?? ShadowTotals.None, usage, loss);
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }

            _stop.Dispose();
        }
    }

    private async Task<ShadowWarmup> WarmUpAsync(ShadowArm arm, ArmRecorder recorder, HttpClient client)
    {
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  warm-up {arm.Describe()}: {settings.WarmupSeconds:0.##} s at {settings.Rate:0.##} req/s"));
        if (settings.WarmupSeconds <= 0)
        {
            return new ShadowWarmup(arm.Label, 0, 0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal));
        }

        var report = await new LoadTest(Options(arm, settings.WarmupSeconds), recorder.Observe, client).RunAsync(_stop.Token);
        bed.Children.ThrowIfLost();
        return new ShadowWarmup(arm.Label, settings.WarmupSeconds, report.Requests.Sent, report.Requests.Failed, report.Requests.Dropped, new Dictionary<string, long>(StringComparer.Ordinal));
    }

    private async Task<ShadowWindow> MeasureAsync(ShadowArm arm, int round, int position, GatewayProbe probe, ArmRecorder recorder, HttpClient client)
    {
        var loadAverage = MachineInfo.LoadAverageNow();
        var before = await ShadowCounters.ReadAsync(probe);
        var cpu = CpuReading.Take(bed);
        var started = Stopwatch.GetTimestamp();

        recorder.Measuring = true;
        var report = await new LoadTest(Options(arm, settings.WindowSeconds), recorder.Observe, client).RunAsync(_stop.Token);
        recorder.Measuring = false;

        // A window cut short by a process ending is no window: its figures are the dead port's.
        bed.Children.ThrowIfLost();
        var stalls = recorder.TakeStalls();
        var atEnd = await ShadowCounters.ReadAsync(probe);
        if (settings.CooldownSeconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(settings.CooldownSeconds), CancellationToken.None);
        }

        var drain = await DrainAsync(probe, MaxWindowDrain);
        var settle = await SettleAsync();

        // CPU first, then the scrape: the after-reading's own cost stays out of the window (the before-scrape is too).
        var used = CpuReading.Take(bed).Since(cpu);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var counters = (await ShadowCounters.ReadAsync(probe)).Since(before);
        var window = new ShadowWindow(
            round,
            arm.Label,
            arm.Prompt,
            position,
            loadAverage,
            // The gateway's embedded store runs in its child process: the gateway's cost, as it was when in-process.
            used.Gateway + (bed.StoreMode == StoreMode.Embedded ? used.Store : 0),
            used.Generator,
            used.Mock,
            used.Others,
            used.Interrupts,
            used.Steal,
            elapsed,
            drain,
            settle,
            counters,
            atEnd.Since(before).AnsweredCalls,
            stalls,
            report,
            used.Evaluator);
        await Console.Error.WriteLineAsync(Progress(window));
        return window;
    }

    /// <summary>
    /// Waits until no copy has ended for half a second (the dispatcher's queue is empty), at most <paramref name="limit"/>;
    /// returns the seconds waited. Copies still queued at a window's end would otherwise be charged to the next window.
    /// </summary>
    private static async Task<double> DrainAsync(GatewayProbe probe, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        var last = await ShadowCounters.ReadAsync(probe);
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            await Task.Delay(DrainQuiet, CancellationToken.None);
            var now = await ShadowCounters.ReadAsync(probe);
            if (now.AnsweredCalls + now.OtherCalls == last.AnsweredCalls + last.OtherCalls)
            {
                break;
            }

            last = now;
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Waits until the gateway uses less than <see cref="QuietWait.SettledCores"/> over half a second, at most <see cref="MaxSettle"/>;
    /// returns the seconds waited. The work a window leaves behind (its samples written and scored, its copies' usage)
    /// is then charged to it, and the next window starts on a quiet gateway instead of inheriting it.
    /// </summary>
    private Task<double> SettleAsync() =>
        settings.Settle ? QuietWait.UntilQuietAsync(WatchedCpu, MaxSettle, _stop.Token) : Task.FromResult(0.0);

    // An evaluator apart scores the window's samples after it: its work counts as the gateway's own would.
    private TimeSpan WatchedCpu() => bed.Gateway!.ReadCpuTime() + (bed.Evaluator?.ReadCpuTime() ?? TimeSpan.Zero)
        + (bed.StoreMode == StoreMode.Embedded ? bed.Store?.ReadCpuTime() ?? TimeSpan.Zero : TimeSpan.Zero);

    private string Progress(ShadowWindow window)
    {
        var r = window.Report;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"  round {window.Round}/{settings.Rounds} {window.Arm}: {r.ThroughputPerSecond,7:N1} req/s, p50 {r.Latency?.P50Ms ?? 0,6:0.000} p99 {r.Latency?.P99Ms ?? 0,7:0.000} p99.9 {r.Latency?.P999Ms ?? 0,7:0.000} ms, "
            + $"gateway CPU {window.GatewayCpuMicrosecondsPerRequest ?? 0,6:0.0} µs/req, copies answered {window.Counters.AnsweredCalls} ({window.ShadowAnsweredByWindowEnd} by window end), "
            + $"other {window.Counters.DescribeOther()}, {r.Requests.Failed} failed, {r.Requests.Dropped} dropped; stalls {window.Stalls}, drain {window.DrainSeconds:0.0} s + settle {window.SettleSeconds:0.0} s, {window.Counters.SamplesEvaluated} evaluated, GC pause {window.Counters.GcPauseSeconds * 1000:0} ms ({window.Counters.Gen2Collections} gen2); other processes {window.OtherCores:0.00} cores, steal {window.StealCores:0.00}");
    }

    private static ShadowArmSummary Summarize(ShadowArm arm, IReadOnlyList<ShadowWindow> windows, ArmRecorder recorder) => new(
        arm.Label,
        arm.Prompt,
        arm.Shadowed,
        windows.Count,
        windows.Sum(w => w.Requests),
        windows.Sum(w => w.Report.Requests.Succeeded),
        windows.Sum(w => w.Report.Requests.Failed),
        windows.Sum(w => w.Report.Requests.Dropped),
        windows.Sum(w => w.Report.Requests.Interrupted),
        Median.Of(windows.Select(w => w.Report.ThroughputPerSecond)),
        MedianSummary.Of(windows.Select(w => w.Report.Latency)),
        recorder.Pooled(),
        MedianSummary.Of(windows.Select(w => w.Report.ServiceTime)),
        Median.Of(windows.Select(w => w.GatewayCpuMicrosecondsPerRequest)),
        Median.Of(windows.Select(w => w.GeneratorCpuMicrosecondsPerRequest)),
        Median.Of(windows.Select(w => w.MockCpuMicrosecondsPerRequest)),
        windows.Sum(w => w.Counters.AnsweredCalls),
        windows.Sum(w => w.Counters.OtherCalls),
        windows.Sum(w => w.Counters.SamplesTaken),
        windows.Sum(w => w.Counters.SamplesDropped),
        Sum(windows.Select(w => w.Report.Errors)),
        Sum(windows.Select(w => w.Report.ResponseTags)));

    private LoadTestOptions Options(ShadowArm arm, double seconds) =>
        settings.Load(seconds).ToOptions(bed.GatewayUrl!, bed.ApiKey, ScenarioKind.PromptChat, prompt: arm.Prompt);

    /// <summary>The usage API's rows for both prompts since the run started (its counters are written about once a second).</summary>
    private static async Task<IReadOnlyList<UsageGroup>> ReadUsageAsync(Uri gateway, DateTimeOffset startedAt)
    {
        await Task.Delay(UsageFlush);
        using var controlPlane = new ControlPlane(gateway);
        var from = Uri.EscapeDataString(startedAt.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture));
        var rows = new List<UsageGroup>();
        foreach (var arm in ShadowArm.Both)
        {
            var answer = await controlPlane.GetAsync($"/admin/v1/usage?groupBy=key,version,variant&prompt={arm.Prompt}&from={from}");
            foreach (var row in answer.AsArray().OfType<JsonObject>())
            {
                var group = row["group"]?.AsObject();
                rows.Add(new UsageGroup(
                    arm.Prompt,
                    group?["key"]?.GetValue<string>() ?? "?",
                    group?["version"]?.GetValue<string>() ?? "?",
                    group?["variant"]?.GetValue<string>() ?? "?",
                    row["requests"]?.GetValue<long>() ?? 0,
                    row["errors"]?.GetValue<long>() ?? 0));
            }
        }

        return rows;
    }

    private static Dictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in counts.SelectMany(c => c))
        {
            total[key] = total.GetValueOrDefault(key) + value;
        }

        return total;
    }
}
