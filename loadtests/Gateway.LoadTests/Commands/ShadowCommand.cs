using System.CommandLine;
using System.Globalization;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Serialization;
using LlmGateway.LoadTests.ShadowTraffic;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>shadow</c>: issue #17's goal, "shadow traffic adds no latency to the client's request: p99 with a 100% shadow
/// share is within 0.5 ms of p99 without it, and the client's response is byte-identical". One gateway, two prompts
/// with the same bundle: A in a rollout's shadow step (share 100%), B with no rollout; open-model prompt-chat at a fixed
/// rate, warmed, then alternating A/B windows; per-arm percentiles with HdrHistogram, the difference against the goal,
/// the gateway's shadow counters and usage rows (the copies really happened), and a byte check of A's and B's answers.
/// </summary>
internal static class ShadowCommand
{
    public const string DefaultName = "issue-17-shadow";

    public static Command Create()
    {
        var rateOption = NumberOption.Create("--rate", "Open model: client requests per second in each window (arm A's copies come on top).", 200.0, 1, 10_000);
        var warmupOption = NumberOption.Create("--warmup", "Seconds of warm-up per arm at --rate before round 1; never measured.", 15.0, 0, LoadTestOptions.MaxWarmupSeconds);
        var durationOption = NumberOption.Create("--duration", "Seconds of each measured window (one arm, one round).", 15.0, 1, LoadTestOptions.MaxDurationSeconds);
        var roundsOption = NumberOption.Create("--rounds", "Rounds; each measures A and B once, the order alternating.", 6, 1, 100);
        var cooldownOption = NumberOption.Create("--cooldown", "Seconds after each window before its counters are read (A's last copies are answered in it).", 2.0, 0, 60);
        var maxInFlightOption = NumberOption.Create("--max-in-flight", "At most N client requests in flight; more are dropped and counted.", LoadTestOptions.DefaultMaxInFlight, 1, LoadTestOptions.MaxConcurrency);
        var pairsOption = NumberOption.Create("--pairs", "Byte check: requests per kind (chat, stream) sent to A and to B with the same input.", 5, 1, 1000);
        var storeOption = new Option<string>("--store")
        {
            Description = "embedded: the gateway's own Garnet, as it ships (a child process of the gateway by default); process: Garnet in a process the harness starts.",
            DefaultValueFactory = _ => "embedded",
        };
        storeOption.AcceptOnlyFromAmong("embedded", "process");
        var evaluatorOption = new Option<string>("--evaluator")
        {
            Description = "in-process: the gateway scores its samples itself, as it ships; process: Gateway.Evaluator in its own process against the gateway's store, the gateway's own evaluator off (the deployment for proxies beside separate evaluators).",
            DefaultValueFactory = _ => "in-process",
        };
        evaluatorOption.AcceptOnlyFromAmong("in-process", "process");
        var settingOption = new Option<string[]>("--gateway-setting")
        {
            Description = "Diagnostics only: an extra gateway configuration value as Key=Value (e.g. Gateway:OnlineEval:Enabled=false); repeatable. The goal is measured without any.",
            HelpName = "key=value",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        settingOption.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                var equals = value.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || !char.IsAsciiLetter(value[0]) || value[..equals].Any(c => !(char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '.')))
                {
                    result.AddError($"--gateway-setting is Key=Value with a configuration key such as Gateway:OnlineEval:Enabled, got '{value}'.");
                }
            }
        });
        var fileOptions = new ResultFileOptions(DefaultName);

        var command = new Command("shadow", "Issue #17: client latency with a 100% shadow share (A) against the same prompt without one (B), one gateway, alternating rounds; copies counted, answers compared byte for byte.");
        Option[] options = [rateOption, warmupOption, durationOption, roundsOption, cooldownOption, maxInFlightOption, pairsOption, storeOption, evaluatorOption, settingOption];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        fileOptions.AddTo(command);
        command.Options.Add(ConfigFile.CreateOption());
        HarnessAction.Set(command, result =>
        {
            var settings = new ShadowSettings(
                result.GetValue(rateOption),
                result.GetValue(warmupOption),
                result.GetValue(durationOption),
                result.GetValue(roundsOption),
                result.GetValue(cooldownOption),
                result.GetValue(maxInFlightOption),
                result.GetValue(pairsOption),
                result.GetValue(storeOption) == "process" ? StoreMode.Process : StoreMode.Embedded,
                ShadowSettings.DefaultGoalMs,
                result.GetValue(settingOption) ?? [],
                EvaluatorApart: result.GetValue(evaluatorOption) == "process");
            var commandLine = string.Join(' ', result.Tokens.Select(token => token.Value));
            return RunAsync(settings, fileOptions.Files(result), fileOptions.NameOr(result, DefaultName), commandLine);
        });
        return command;
    }

    private static async Task<int> RunAsync(ShadowSettings settings, ResultFiles files, string name, string commandLine)
    {
        var machine = MachineInfo.Describe();
        var startedAt = DateTimeOffset.UtcNow;
        var minutes = (2 * settings.WarmupSeconds + 2 * settings.Rounds * (settings.WindowSeconds + settings.CooldownSeconds)) / 60;
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"shadow: {settings.Rounds} rounds of {settings.WindowSeconds:0.##} s per arm at {settings.Rate:0.##} req/s (about {minutes:0.0} min of load); starting the mock and the gateway..."));
        await using var bed = await TestBed.StartAsync(yarp: false, gateway: true, storeMode: settings.StoreMode, gatewaySettings: settings.GatewaySettings(), evaluatorApart: settings.EvaluatorApart);
        using var interrupt = new InterruptSignal();
        var report = await new ShadowRunner(bed, settings, interrupt.Token).RunAsync(commandLine, machine, startedAt);
        var markdown = ShadowMarkdown.Write(report);
        await Console.Out.WriteLineAsync(markdown);

        await files.WriteJsonAsync($"{name}.json", report, LoadTestJsonContext.Default.ShadowReport);
        await files.WriteTextAsync($"{name}.md", markdown);
        LatencyChart.Save(
            files.PathOf($"{name}.png"),
            string.Create(CultureInfo.InvariantCulture, $"prompt-chat at {settings.Rate:0.##} req/s: client latency with and without a 100% shadow share (medians over rounds)"),
            [.. report.Arms.Select(a => (a.Shadowed ? "A: shadow 100%" : "B: no shadow", a.Latency))]);
        await Console.Out.WriteLineAsync($"Results: {files.PathOf(name)}.{{md,json,png}}");
        return await LoadTestsCommandLine.ExitCodeAsync(report.Loss);
    }
}
