using System.Globalization;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Scenarios;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>compare</c>: the same scenario and load against <c>direct</c> (the mock), <c>yarp-bare</c> (YARP, no LLM feature)
/// and <c>gateway</c> (every feature on), one after the other, each proxy in its own process. Systems without a
/// prompt registry get the body the gateway forwards for <c>prompt-chat</c> (<c>prompt-chat-plain</c>), so every
/// system's upstream sees the same request.
/// </summary>
internal static class CompareCommand
{
    public const string Direct = "direct";
    public const string YarpBare = "yarp-bare";
    public const string Gateway = "gateway";

    public static async Task<int> RunAsync(CommandArgs args)
    {
        var scenario = args.String("scenario", "chat");
        if (scenario is not ("chat" or "prompt-chat" or "stream"))
        {
            throw new UsageException($"--scenario must be chat, prompt-chat or stream, got '{scenario}'.");
        }

        var load = LoadShape.From(args, defaultRate: null, defaultConcurrency: 8, defaultWarmup: 3, defaultDuration: 10);
        var systems = args.String("systems", $"{Direct},{YarpBare},{Gateway}").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (systems.Length == 0 || systems.Any(s => s is not (Direct or YarpBare or Gateway)))
        {
            throw new UsageException("--systems is a comma-separated list of direct, yarp-bare and gateway.");
        }

        var chunks = (int)args.Number("chunks", 50, 1, 10_000);
        var chunkDelayMs = args.Number("chunk-delay-ms", 10, 0, 10_000);
        var files = ResultFiles.From(args.Has("out") ? args.String("out", string.Empty) : null);
        var name = args.String("name", $"compare-{scenario}-{load.FileTag()}");
        args.EnsureAllRead();

        string[] headers = scenario == "stream"
            ? [$"x-mock-chunks:{chunks}", $"x-mock-chunk-delay-ms:{chunkDelayMs.ToString(CultureInfo.InvariantCulture)}"]
            : [];
        var machine = MachineInfo.Describe();
        var startedAt = DateTimeOffset.UtcNow;
        await Console.Error.WriteLineAsync($"compare {scenario}, {load.Describe()}, {load.WarmupSeconds} s warmup + {load.DurationSeconds} s per system; starting the systems...");

        await using var bed = await TestBed.StartAsync(yarp: systems.Contains(YarpBare), gateway: systems.Contains(Gateway));
        if (scenario == "prompt-chat" && bed.GatewayUrl is { } gatewayUrl)
        {
            await PreparePromptAsync(bed, gatewayUrl);
        }

        using var interrupt = new InterruptSignal();
        var results = new List<SystemResult>();
        foreach (var system in systems)
        {
            var (target, process) = system switch
            {
                Direct => (bed.MockUrl, (ChildProcess?)null),
                YarpBare => (bed.YarpUrl!, bed.Yarp),
                _ => (bed.GatewayUrl!, bed.Gateway),
            };
            var sentAs = scenario == "prompt-chat" && system != Gateway ? "prompt-chat-plain" : scenario;
            var options = load.ToOptions(target, bed.ApiKey, sentAs, headers.SelectMany(h => new[] { "--header", h }));
            var loadAverage = MachineInfo.LoadAverageNow();
            await Console.Error.WriteLineAsync($"  {system}: {sentAs} against {target} (load average {loadAverage})");

            LoadTestReport report;
            double? peak = null;
            if (process is not null)
            {
                await using var sampler = new MemorySampler(process, TimeSpan.FromMilliseconds(250));
                report = await new LoadTest(options).RunAsync(interrupt.Token);
                peak = sampler.PeakRssMb;
            }
            else
            {
                report = await new LoadTest(options).RunAsync(interrupt.Token);
            }

            results.Add(new SystemResult(system, sentAs, peak, loadAverage, report));
            if (interrupt.Token.IsCancellationRequested)
            {
                break;
            }
        }

        var command = $"compare --scenario {scenario} {(load.Rate is { } r ? $"--rate {r.ToString(CultureInfo.InvariantCulture)}" : $"--concurrency {load.Concurrency}")} --duration {load.DurationSeconds.ToString(CultureInfo.InvariantCulture)}";
        var comparison = new ComparisonReport(startedAt, command, machine, scenario, load.Describe(), headers, results);
        var markdown = ComparisonMarkdown.Write(comparison, chunkDelayMs);
        await Console.Out.WriteLineAsync(markdown);

        await files.WriteJsonAsync($"{name}.json", comparison, LoadTestJsonContext.Default.ComparisonReport);
        await files.WriteTextAsync($"{name}.md", markdown);
        LatencyChart.Save(
            files.PathOf($"{name}.png"),
            $"{scenario}, {load.Describe()}: latency percentiles",
            [.. results.Select(s => (s.System, s.Report.Latency))]);
        if (scenario == "stream")
        {
            LatencyChart.Save(
                files.PathOf($"{name}-ttft.png"),
                $"stream, {load.Describe()}: time to first token",
                [.. results.Select(s => (s.System, s.Report.TimeToFirstToken))],
                "time to first token (ms)");
        }

        await Console.Out.WriteLineAsync($"Results: {files.PathOf(name)}.{{md,json,png}}");
        return 0;
    }

    /// <summary>The prompt-chat set-up of the issue: v1 stable, v2 canary at 10%, sampling 5% on both arms.</summary>
    public static async Task PreparePromptAsync(TestBed bed, Uri gatewayUrl)
    {
        using var controlPlane = new ControlPlane(gatewayUrl);
        await controlPlane.SetUpPromptAsync(LoadTestBundle.Name, canaryWeightBps: 1000, samplingRate: 0.05);
        using var probe = new GatewayProbe(gatewayUrl);
        await probe.WaitForVersionAsync(LoadTestBundle.Name, bed.ApiKey, version: null, TimeSpan.FromSeconds(10));
    }
}
