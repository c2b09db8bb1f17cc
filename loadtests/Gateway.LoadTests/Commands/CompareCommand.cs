using System.CommandLine;
using LlmGateway.LoadTests.Comparison;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>compare</c>: the same load against <c>direct</c> (the mock), <c>yarp-bare</c> (YARP, no LLM feature) and
/// <c>gateway</c> (every feature on), each in its own process, warmed and in interleaved rounds; medians over rounds,
/// the gateway's ratios to bare YARP, and issue #14's goals with a verdict each. <c>--scenario goals</c> runs every
/// phase the goals need in one run.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var scenarioOption = new Option<string>("--scenario")
        {
            Description = "chat | prompt-chat | stream: one phase under --rate or --concurrency; goals: every phase of issue #14's goals "
                + "(chat and prompt-chat closed, chat at --open-rate, stream at --stream-rate).",
            DefaultValueFactory = _ => ScenarioNames.Chat,
        };
        scenarioOption.AcceptOnlyFromAmong(ScenarioNames.Chat, ScenarioNames.PromptChat, ScenarioNames.Stream, CompareSuite.Goals);
        var loadOptions = new LoadShapeOptions(
            defaultRate: null,
            defaultConcurrency: 32,
            defaultWarmup: 10,
            defaultDuration: 10,
            warmupDescription: "Seconds of warm-up load per system and phase before round 1 (tiered JIT, connection pools); never measured.");
        var warmupRequestsOption = NumberOption.Create("--warmup-requests", "The warm-up also lasts until N requests were sent (at most 600 s).", 0L, 0, 10_000_000);
        var jitSettleOption = NumberOption.Create(
            "--jit-settle",
            "The warm-up also lasts until the system's JIT compiles fewer methods per second than this (0: off; at most 600 s): tiered compilation runs for tens of seconds under load.",
            5.0,
            0,
            1_000_000);
        var roundsOption = NumberOption.Create("--rounds", "Interleaved rounds: each visits every system for one --duration window.", 4, 1, 100);
        var cooldownOption = NumberOption.Create("--cooldown", "Seconds after each window before its CPU and allocation are read.", 1.0, 0, 60);
        var openRateOption = NumberOption.Optional("--open-rate", "goals: the open-model chat phase's rate (added p99). Default: 1000", 0.1, LoadTestOptions.MaxRatePerSecond);
        var streamRateOption = NumberOption.Optional("--stream-rate", "goals: the stream phase's rate (time to first token). Default: 50", 0.1, LoadTestOptions.MaxRatePerSecond);
        var systemsOption = new Option<string>("--systems")
        {
            Description = "Comma-separated, in round order.",
            HelpName = "list",
            DefaultValueFactory = _ => string.Join(',', SystemNames.All),
        };
        systemsOption.Validators.Add(result => Validate(result, ParseSystems));
        var chunksOption = NumberOption.Create("--chunks", "Streams: content chunks the mock sends.", 50, 1, 10_000);
        var chunkDelayOption = NumberOption.Create("--chunk-delay-ms", "Streams: milliseconds between the mock's chunks.", 10.0, 0, 10_000);
        var storeOption = new Option<string>("--store")
        {
            Description = "embedded: the gateway's own Garnet, as it ships (a child process of the gateway by default; RSS and CPU include it); process: Garnet in a process the harness starts, read apart.",
            DefaultValueFactory = _ => "embedded",
        };
        storeOption.AcceptOnlyFromAmong("embedded", "process");
        var fileOptions = new ResultFileOptions("compare-<scenario>-<load>");

        var command = new Command("compare", "Same scenario against direct (the mock), yarp-bare and gateway, warmed and in interleaved rounds; goals table, markdown, JSON and PNG charts.");
        command.Options.Add(scenarioOption);
        loadOptions.AddTo(command);
        Option[] more = [warmupRequestsOption, jitSettleOption, roundsOption, cooldownOption, openRateOption, streamRateOption, systemsOption, chunksOption, chunkDelayOption, storeOption];
        foreach (var option in more)
        {
            command.Options.Add(option);
        }

        fileOptions.AddTo(command);
        command.Options.Add(ConfigFile.CreateOption());
        command.Validators.Add(result =>
        {
            var goals = result.ValueOrDefault(scenarioOption) == CompareSuite.Goals;
            if (goals && result.GetResult(loadOptions.Rate) is not null)
            {
                result.AddError("--rate applies to one --scenario; with goals, give --open-rate and --stream-rate (the closed phases take --concurrency).");
            }

            if (!goals && (result.GetResult(openRateOption) is not null || result.GetResult(streamRateOption) is not null))
            {
                result.AddError("--open-rate and --stream-rate only apply to --scenario goals; give --rate for one scenario.");
            }
        });

        HarnessAction.Set(command, result =>
        {
            var scenario = result.GetValue(scenarioOption)!;
            var load = loadOptions.Read(result);
            var chunks = result.GetValue(chunksOption);
            var chunkDelayMs = result.GetValue(chunkDelayOption);
            var phases = scenario == CompareSuite.Goals
                ? CompareSuite.GoalPhases(load.Concurrency, result.GetValue(openRateOption) ?? 1000, result.GetValue(streamRateOption) ?? 50, load.WarmupSeconds, load.DurationSeconds, load.MaxInFlight, chunks, chunkDelayMs)
                : [CompareSuite.Single(ScenarioNames.Parse(scenario), load, chunks, chunkDelayMs)];
            var settings = new CompareSettings(
                result.GetValue(roundsOption),
                result.GetValue(warmupRequestsOption),
                result.GetValue(jitSettleOption),
                result.GetValue(cooldownOption),
                ParseSystems(result.GetValue(systemsOption)!),
                result.GetValue(storeOption) == "process" ? StoreMode.Process : StoreMode.Embedded);
            var name = fileOptions.NameOr(result, scenario == CompareSuite.Goals ? "compare-goals" : $"compare-{phases[0].Name}");
            var commandLine = string.Join(' ', result.Tokens.Select(token => token.Value));
            return RunAsync(phases, settings, fileOptions.Files(result), name, commandLine);
        });
        return command;
    }

    private static async Task<int> RunAsync(IReadOnlyList<ComparePhase> phases, CompareSettings settings, ResultFiles files, string name, string commandLine)
    {
        var machine = MachineInfo.Describe();
        var startedAt = DateTimeOffset.UtcNow;
        await Console.Error.WriteLineAsync($"compare: {phases.Count} phase(s), {settings.Rounds} rounds each, systems {string.Join(", ", settings.Systems)}; starting the systems...");
        var gateway = settings.Systems.Contains(SystemNames.Gateway);
        await using var bed = await TestBed.StartAsync(yarp: settings.Systems.Contains(SystemNames.YarpBare), gateway: gateway, storeMode: settings.StoreMode);
        if (gateway && phases.Any(p => p.Scenario == ScenarioKind.PromptChat))
        {
            // A process lost here leaves every phase not run, with the reason (CompareRun).
            bed.Children.Stage = "the prompt set-up";
            await bed.Children.GuardAsync(() => PromptSetUp.CanaryWithSamplingAsync(bed, bed.GatewayUrl!));
        }

        using var interrupt = new InterruptSignal();
        var results = await CompareRun.RunAsync(bed, phases, settings, interrupt.Token);
        var loss = await bed.Children.LossAsync();
        var report = new CompareReport(startedAt, commandLine, machine, settings, results, GoalEvaluator.Evaluate(results), loss);
        var markdown = CompareMarkdown.Write(report);
        await Console.Out.WriteLineAsync(markdown);

        await files.WriteJsonAsync($"{name}.json", report, LoadTestJsonContext.Default.CompareReport);
        await files.WriteTextAsync($"{name}.md", markdown);
        foreach (var phase in results.Where(p => p.Windows.Count > 0))
        {
            // One phase keeps the plain name, as before; several get the phase's name appended.
            var chart = results.Count == 1 ? name : $"{name}-{phase.Name}";
            LatencyChart.Save(files.PathOf($"{chart}.png"), $"{phase.Load}: latency percentiles (medians over rounds)", [.. phase.Targets.Select(t => (t.System, t.Latency))]);
            if (phase.Targets.Any(t => t.TimeToFirstToken is not null))
            {
                LatencyChart.Save(
                    files.PathOf($"{chart}-ttft.png"),
                    $"{phase.Load}: time to first token (medians over rounds)",
                    [.. phase.Targets.Select(t => (t.System, t.TimeToFirstToken))],
                    "time to first token (ms)");
            }
        }

        await Console.Out.WriteLineAsync($"Results: {files.PathOf(name)}.{{md,json}} and {(results.Count == 1 ? name : $"{name}-<phase>")}.png");
        return await LoadTestsCommandLine.ExitCodeAsync(loss);
    }

    private static IReadOnlyList<string> ParseSystems(string value)
    {
        var systems = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (systems.Length == 0 || systems.Any(s => !SystemNames.All.Contains(s)) || systems.Distinct(StringComparer.Ordinal).Count() != systems.Length)
        {
            throw new UsageException($"--systems is a comma-separated list of {string.Join(", ", SystemNames.All)}, each at most once; got '{value}'.");
        }

        return systems;
    }

    private static void Validate(System.CommandLine.Parsing.OptionResult result, Func<string, object> parse)
    {
        try
        {
            parse(result.GetValueOrDefault<string>());
        }
        catch (UsageException exception)
        {
            result.AddError(exception.Message);
        }
    }
}
