using System.CommandLine;
using LlmGateway.LoadTests.Comparison;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>smoke</c>, for CI: the real gateway (every feature on, its embedded store) under low prompt-chat and stream load,
/// then a one-round miniature of <c>compare --scenario goals</c> against direct, bare YARP and the gateway, so every
/// code path of the comparison (warm-up, rounds, /proc CPU, the children's allocation counters, RSS sampling, the
/// store's INFO MEMORY, the goals table) runs on every build. It asserts correctness only, never timing, because CI
/// shares a noisy 2-core box: zero failed or dropped requests (warm-ups included), every prompt response names its
/// version and arm and both arms were served, every stream ends with <c>[DONE]</c> and carries exactly the chunks the
/// mock was asked for, and every goal got a figure. A process of the run that ends stops it: the smoke then fails with
/// <see cref="LoadTestsCommandLine.ChildExited"/>, naming the process and quoting its last lines.
/// </summary>
internal static class SmokeCommand
{
    private const int Chunks = 50;
    private const int ChunkDelayMs = 10;

    public static Command Create()
    {
        var loadOptions = new LoadShapeOptions(defaultRate: 20, defaultConcurrency: 4, defaultWarmup: 1, defaultDuration: 10);
        var compareSecondsOption = NumberOption.Create("--compare-seconds", "Seconds of each window (and half of each warm-up) of the miniature comparison; 0 skips it.", 1.0, 0, 60);
        var shadowSecondsOption = NumberOption.Create("--shadow-seconds", "Seconds of each window (and four times each warm-up) of the miniature shadow measurement; 0 skips it.", 2.0, 0, 60);
        var command = new Command("smoke", "prompt-chat and stream, ~10 s each at low rate against the real gateway, then a one-round miniature compare; exit 0 only with zero errors and correct responses.");
        loadOptions.AddTo(command);
        command.Options.Add(compareSecondsOption);
        command.Options.Add(shadowSecondsOption);
        command.Options.Add(ConfigFile.CreateOption());
        HarnessAction.Set(command, result => RunAsync(loadOptions.Read(result), result.GetValue(compareSecondsOption), result.GetValue(shadowSecondsOption)));
        return command;
    }

    private static async Task<int> RunAsync(LoadShape load, double compareSeconds, double shadowSeconds)
    {
        // Each stage is stamped with the seconds since the start, so a smoke stopped by CI's timeout shows where its
        // time went (a busy box is slow everywhere; a hang is slow in one place).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Stage(string what) =>
            Console.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"smoke: [{clock.Elapsed.TotalSeconds:0.0} s] {what}"));

        Stage("starting the mock provider, bare YARP and the gateway (embedded store)");
        await using var bed = await TestBed.StartAsync(yarp: compareSeconds > 0, gateway: true, storeMode: StoreMode.Embedded);
        using var interrupt = new InterruptSignal();

        // Ctrl+C, or a process of the bed ending: the load stops at once either way.
        using var stop = bed.Children.StopOn(interrupt.Token);
        var problems = new List<string>();

        long allFailures = 0;
        void CountFailure(RequestOutcome outcome)
        {
            if (outcome.Error is not null)
            {
                Interlocked.Increment(ref allFailures);
            }
        }

        LoadTestReport? prompt = null;
        LoadTestReport? stream = null;
        var loss = await bed.Children.GuardAsync(async () =>
        {
            bed.Children.Stage = "the prompt set-up";
            await PromptSetUp.CanaryWithSamplingAsync(bed, bed.GatewayUrl!);

            Stage("prompt-chat");
            bed.Children.Stage = "the smoke's prompt-chat load";
            prompt = await new LoadTest(load.ToOptions(bed.GatewayUrl!, bed.ApiKey, ScenarioKind.PromptChat), CountFailure).RunAsync(stop.Token);
            bed.Children.ThrowIfLost();
            TextReportWriter.Write(prompt, Console.Out);
            Check(prompt, "prompt-chat", problems);
            var tags = prompt.ResponseTags.Keys.ToList();
            if (!tags.Any(t => t.EndsWith(" stable", StringComparison.Ordinal)) || !tags.Any(t => t.EndsWith(" canary", StringComparison.Ordinal)))
            {
                problems.Add($"prompt-chat: expected both the stable and the canary arm to be served, got [{string.Join(", ", tags)}]");
            }

            Console.Out.WriteLine();
            Stage("stream");
            bed.Children.Stage = "the smoke's stream load";
            KeyValuePair<string, string>[] streamHeaders = [new("x-mock-chunks", $"{Chunks}"), new("x-mock-chunk-delay-ms", $"{ChunkDelayMs}")];
            stream = await new LoadTest(load.ToOptions(bed.GatewayUrl!, bed.ApiKey, ScenarioKind.Stream, streamHeaders, expectedChunks: Chunks), CountFailure).RunAsync(stop.Token);
            bed.Children.ThrowIfLost();
            TextReportWriter.Write(stream, Console.Out);
            Check(stream, "stream", problems);

            if (Interlocked.Read(ref allFailures) > 0)
            {
                problems.Add($"{allFailures} request(s) failed in all, warmup included");
            }

            if (compareSeconds > 0 && !stop.IsCancellationRequested)
            {
                Console.Out.WriteLine();
                Stage("miniature compare");
                await MiniatureCompareAsync(bed, compareSeconds, problems, interrupt.Token);
            }

            if (shadowSeconds > 0 && !stop.IsCancellationRequested)
            {
                Console.Out.WriteLine();
                Stage("miniature shadow");
                await MiniatureShadowAsync(bed, shadowSeconds, problems, interrupt.Token);
            }
        });

        Console.Out.WriteLine();
        Stage("done");
        if (loss is not null)
        {
            // Whatever else failed follows from it; the process and its last lines are what to read.
            await Console.Out.WriteLineAsync(loss.ToMarkdown());
            await Console.Out.WriteLineAsync($"smoke: FAILED: {loss.Reason}");
            await Console.Out.WriteLineAsync($"(child process logs: {bed.LogDirectory})");
            return LoadTestsCommandLine.ChildExited;
        }

        if (problems.Count == 0)
        {
            await Console.Out.WriteLineAsync($"smoke: OK ({prompt!.Requests.Succeeded} prompt-chat and {stream!.Requests.Succeeded} stream requests measured, zero errors; miniature compare and shadow complete)");
            return 0;
        }

        foreach (var problem in problems)
        {
            await Console.Out.WriteLineAsync($"smoke: FAILED: {problem}");
        }

        await Console.Out.WriteLineAsync($"(child process logs: {bed.LogDirectory})");
        return 1;
    }

    /// <summary>
    /// The goals suite at toy scale: one round, a second per window, low rates and short streams. Its figures mean
    /// nothing on a shared CI box; what is checked is that every one of them was produced.
    /// </summary>
    private static async Task MiniatureCompareAsync(TestBed bed, double seconds, List<string> problems, CancellationToken interrupt)
    {
        var phases = CompareSuite.GoalPhases(concurrency: 2, openRate: 50, streamRate: 10, warmupSeconds: seconds / 2, windowSeconds: seconds, maxInFlight: 100, chunks: 5, chunkDelayMs: ChunkDelayMs);
        var settings = new CompareSettings(Rounds: 1, WarmupRequests: 0, JitSettleMethodsPerSecond: 0, CooldownSeconds: 0.1, SystemNames.All, StoreMode.Embedded);
        var results = await CompareRun.RunAsync(bed, phases, settings, interrupt);
        var report = new CompareReport(DateTimeOffset.UtcNow, "smoke (miniature compare --scenario goals)", MachineInfo.Describe(), settings, results, GoalEvaluator.Evaluate(results));
        await Console.Out.WriteLineAsync(CompareMarkdown.Write(report));

        foreach (var phase in results)
        {
            foreach (var warmup in phase.Warmups.Where(w => w.Failed > 0))
            {
                problems.Add($"compare {phase.Name}: {warmup.Failed} warm-up request(s) to {warmup.System} failed");
            }

            foreach (var window in phase.Windows)
            {
                var requests = window.Report.Requests;
                if (requests.Succeeded == 0 || requests.Failed > 0 || requests.Dropped > 0 || requests.Interrupted > 0)
                {
                    problems.Add($"compare {phase.Name} {window.System}: {requests.Succeeded} succeeded, {requests.Failed} failed, {requests.Dropped} dropped ({string.Join(", ", window.Report.Errors.Select(e => $"{e.Key} {e.Value}"))})");
                }

                // A reading below zero is the runtime's, not ours: DATAS retiring a GC heap mid-window lowers the
                // allocation total (dotnet/runtime#131069). Zero means the child never answered with its counters.
                if (window.CpuSeconds <= 0 || window.Runtime.AllocatedBytes == 0)
                {
                    problems.Add($"compare {phase.Name} {window.System}: no CPU or allocation reading (cpu {window.CpuSeconds} s, allocated {window.Runtime.AllocatedBytes} B)");
                }
            }
        }

        if (results.Count != phases.Count)
        {
            problems.Add($"compare: {results.Count} of {phases.Count} phases ran");
        }

        problems.AddRange(report.Goals
            .Where(g => g.Verdict == GoalCheck.NotMeasured && g.Note != GoalEvaluator.AllocationCounterWentBackwards)
            .Select(g => $"compare: goal '{g.Goal}' got no figure ({g.Note})"));
        if (results.FirstOrDefault(p => p.Scenario == ScenarioNames.PromptChat)?.Store is null)
        {
            problems.Add("compare: the embedded store's INFO MEMORY could not be read");
        }
    }

    /// <summary>
    /// <c>shadow</c> at toy scale, on the same gateway (its rollout controller runs, but the shadow step's 24 h minimum
    /// keeps it where it is): one round of a 2 s window per arm after a 0.5 s warm-up, 20 req/s, two byte-check pairs per kind. What is checked: no failed or dropped
    /// request, every successful A request's copy answered and none in B's windows, the answers byte-identical, and the
    /// usage API billing the copies to the shadow key. Its latencies are printed, never judged.
    /// </summary>
    private static async Task MiniatureShadowAsync(TestBed bed, double seconds, List<string> problems, CancellationToken interrupt)
    {
        var settings = new ShadowTraffic.ShadowSettings(Rate: 20, WarmupSeconds: seconds / 4, WindowSeconds: seconds, Rounds: 1, CooldownSeconds: 0.5, MaxInFlight: 100, IdentityPairs: 2, StoreMode.Embedded, ShadowTraffic.ShadowSettings.DefaultGoalMs, [], ControllerOff: false, Settle: false);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var report = await new ShadowTraffic.ShadowRunner(bed, settings, interrupt).RunAsync("smoke (miniature shadow)", MachineInfo.Describe(), DateTimeOffset.UtcNow);
        await Console.Out.WriteLineAsync(ShadowTraffic.ShadowMarkdown.Write(report));
        await Console.Out.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"(miniature shadow: {started.Elapsed.TotalSeconds:0.0} s, set-up included)"));

        foreach (var warmup in report.Warmups.Where(w => w.Failed + w.Dropped > 0))
        {
            problems.Add($"shadow: {warmup.Failed} warm-up request(s) to {warmup.Arm} failed, {warmup.Dropped} dropped");
        }

        foreach (var window in report.Windows)
        {
            var requests = window.Report.Requests;
            if (requests.Succeeded == 0 || requests.Failed > 0 || requests.Dropped > 0 || requests.Interrupted > 0)
            {
                problems.Add($"shadow round {window.Round} {window.Arm}: {requests.Succeeded} succeeded, {requests.Failed} failed, {requests.Dropped} dropped ({string.Join(", ", window.Report.Errors.Select(e => $"{e.Key} {e.Value}"))})");
            }
        }

        var totals = report.Totals;
        var answered = totals.Calls.GetValueOrDefault(ShadowTraffic.ShadowCounters.Answered);
        if (totals.ShadowedSucceeded == 0 || answered != totals.ShadowedSucceeded || totals.Calls.Count != 1)
        {
            problems.Add($"shadow: {totals.ShadowedSucceeded} successful A requests, copies {string.Join(", ", totals.Calls.Select(c => $"{c.Key} {c.Value}"))} (every copy answered expected)");
        }

        if (report.Arms.Single(a => !a.Shadowed) is { } plain && plain.ShadowAnswered + plain.ShadowOther > 0)
        {
            problems.Add($"shadow: {plain.ShadowAnswered + plain.ShadowOther} copies ended during B's windows");
        }

        problems.AddRange(report.ByteChecks.Where(c => !c.Identical).Select(c => $"shadow: {c.Kind} answers differ between A and B: {string.Join("; ", c.Differences)}"));
        if (!report.Usage.Any(u => u.Prompt == ShadowTraffic.ShadowArm.WithShadow.Prompt && u.Variant == "shadow" && u.Requests > 0))
        {
            problems.Add("shadow: the usage API has no shadow row for A");
        }
    }

    private static void Check(LoadTestReport report, string name, List<string> problems)
    {
        var requests = report.Requests;
        if (requests.Succeeded == 0)
        {
            problems.Add($"{name}: no request succeeded");
        }

        if (requests.Failed > 0 || requests.Dropped > 0 || requests.Interrupted > 0)
        {
            problems.Add($"{name}: {requests.Failed} failed, {requests.Dropped} dropped, {requests.Interrupted} interrupted ({string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}"))})");
        }
    }
}
