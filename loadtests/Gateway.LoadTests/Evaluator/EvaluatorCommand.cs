using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.LoadTests.Commands;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Hosting;
using LlmGateway.LoadTests.Options;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Sampling;
using LlmGateway.Serialization;
using LlmGateway.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.LoadTests.Evaluator;

/// <summary>
/// <c>evaluator</c> (issue #16: one worker scores at least 2,000 samples a second with the non-judge scorers on one
/// core): Garnet in a child process, <c>--warmup-samples</c> + <c>--samples</c> stored samples written and queued
/// through <c>SampleStore.WriteAsync</c> (a bundle with six non-judge assertions pushed for both versions), then ONE
/// <see cref="OnlineEvaluator"/>, built from the services <c>Gateway.Evaluator</c> registers, runs rounds back to
/// back as its hosted service does until the queue is empty. After the warm-up samples every thread of this process
/// is pinned to <c>--cpu</c>; the measured window reports samples per wall-clock second, this process's CPU time
/// (/proc, user + system, all threads: scoring, JSON, the Redis client, GC) per 1,000 samples and the samples one
/// CPU-second scores, and the store's CPU apart. It then checks the queue is empty and that the behaviour series
/// count every sample exactly once (the <c>error</c> metric's count over all minute and hour buckets). Exit 1 when a
/// check fails.
/// </summary>
internal static class EvaluatorCommand
{
    private const int WriteBatch = 500;

    public static Command Create()
    {
        var samplesOption = NumberOption.Create("--samples", "Samples scored in the measured window.", 20_000, 100, 1_000_000);
        var warmupOption = NumberOption.Create("--warmup-samples", "Samples scored first, unmeasured and unpinned (JIT, tiering, connection, caches).", 2_000, 0, 100_000);
        var batchOption = NumberOption.Create("--batch-size", "Gateway:OnlineEval:BatchSize: samples claimed per round.", 100, 1, 1000);
        var cpuOption = NumberOption.Create("--cpu", "The CPU the evaluator's threads are pinned to for the measured window.", 0, 0, 63);
        var noPinOption = new Option<bool>("--no-pin") { Description = "Do not pin: the evaluator may use every core." };
        var command = new Command("evaluator", "One online evaluator against a real store (Garnet child): samples/s, CPU-seconds per 1,000 samples, pinned to one core.");
        command.Options.Add(samplesOption);
        command.Options.Add(warmupOption);
        command.Options.Add(batchOption);
        command.Options.Add(cpuOption);
        command.Options.Add(noPinOption);
        HarnessAction.Set(command, result => RunAsync(
            result.GetValue(samplesOption),
            result.GetValue(warmupOption),
            result.GetValue(batchOption),
            result.GetValue(noPinOption) ? null : result.GetValue(cpuOption)));
        return command;
    }

    private static async Task<int> RunAsync(int samples, int warmup, int batchSize, int? cpu)
    {
        if (cpu is { } c && c >= Environment.ProcessorCount)
        {
            throw new UsageException($"--cpu {c}: this machine has CPUs 0 to {Environment.ProcessorCount - 1}.");
        }

        var machine = MachineInfo.Describe();
        var total = samples + warmup;
        var logDirectory = Path.Combine(Path.GetTempPath(), "gateway-loadtests", "evaluator-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var storePort = FreePort.Pick();
        await Console.Error.WriteLineAsync($"evaluator: {warmup} warm-up + {samples} measured samples, batch {batchSize}; starting Garnet...");
        await using var storeProcess = await ChildProcess.StartAsync(ChildHost.Store, [storePort.ToString(CultureInfo.InvariantCulture)], logDirectory);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = $"127.0.0.1:{storePort},password={HarnessStore.Password}",
            ["Gateway:Providers:mock:Kind"] = "openai-compatible",
            ["Gateway:Providers:mock:BaseUrl"] = "http://127.0.0.1:9/v1",
            ["Gateway:Models:gpt-4o-mini:Provider"] = "mock",
            ["Gateway:Sampling:MaxPerPrompt"] = (total + 1).ToString(CultureInfo.InvariantCulture),
            ["Gateway:OnlineEval:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
        }).Build();

        // What Gateway.Evaluator registers (EvaluatorApp), minus the web host: nothing else runs in this process.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddGatewayStore(configuration);
        services.AddGatewayProviders(configuration);
        services.AddOptions<SamplingOptions>().Bind(configuration.GetSection(SamplingOptions.SectionName));
        services.AddSingleton<SampleStore>();
        services.AddSingleton<PromptRegistry>();
        services.AddGatewayBehaviour(configuration, evaluatorProcess: true);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<GatewayStore>();
        await store.StartAsync(CancellationToken.None);

        var problems = new List<string>();
        await PushBundlesAsync(provider, problems);
        var plans = provider.GetRequiredService<OnlineEvalPlans>();
        var plan = await plans.GetAsync(EvaluatorSamples.Prompt, 1);
        if (plan.Assertions.Count != 6 || plan.NeedsJudge)
        {
            problems.Add($"the bundle's plan has {plan.Assertions.Count} assertions (judge: {plan.NeedsJudge}), expected 6 non-judge ones");
        }

        var sampleStore = provider.GetRequiredService<SampleStore>();
        var now = DateTimeOffset.UtcNow;
        var seeding = Stopwatch.StartNew();
        long jsonBytes = 0;
        for (var start = 0; start < total; start += WriteBatch)
        {
            // Each record with the JSON it is stored as, as the sample writer hands them over.
            var batch = Enumerable.Range(start, Math.Min(WriteBatch, total - start))
                .Select(i => EvaluatorSamples.Create(i, total, now))
                .Select(r => new SerializedSample(r, SampleSizeCap.Serialize(r)))
                .ToList();
            if (start == 0)
            {
                jsonBytes = batch[1].Json.Length;
            }

            await sampleStore.WriteAsync(batch);
        }

        var queued = await sampleStore.Queue.StatsAsync();
        await Console.Error.WriteLineAsync($"  {total} samples written and queued in {seeding.Elapsed.TotalSeconds:0.0} s (queue: {queued.Ready} ready); a prose sample is {jsonBytes} B of JSON");
        if (queued.Ready != total)
        {
            problems.Add($"{queued.Ready} ids queued, expected {total}");
        }

        var evaluator = provider.GetRequiredService<OnlineEvaluator>();
        var warmupClaimed = 0;
        while (warmupClaimed < warmup)
        {
            var claimed = await evaluator.RunOnceAsync(CancellationToken.None);
            if (claimed == 0)
            {
                break;
            }

            warmupClaimed += claimed;
        }

        var pinnedThreads = cpu is { } core ? CpuPinning.PinProcess(core) : 0;
        var allowed = CpuPinning.AllowedCpus();
        await Console.Error.WriteLineAsync($"  warm-up: {warmupClaimed} samples; {(cpu is null ? "not pinned" : $"{pinnedThreads} threads pinned to CPU {cpu}")} (threads' allowed CPUs: {allowed}); measuring...");

        var loadBefore = MachineInfo.LoadAverageNow();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = ProcessCpu.ReadSelf();
        var storeCpuBefore = ProcessCpu.Read(storeProcess.Pid);
        var clock = Stopwatch.StartNew();
        // As the hosted evaluator runs: RoundsInFlight rounds at once, so store waits overlap with scoring.
        var inFlight = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<OnlineEvalOptions>>().Value.RoundsInFlight;
        var loops = await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            var (claimedTotal, roundCount) = (0, 0);
            while (true)
            {
                var claimed = await evaluator.RunOnceAsync(CancellationToken.None);
                if (claimed == 0)
                {
                    return (claimedTotal, roundCount);
                }

                claimedTotal += claimed;
                roundCount++;
            }
        }));
        var measured = loops.Sum(l => l.claimedTotal);
        var rounds = loops.Sum(l => l.roundCount);

        var wall = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (ProcessCpu.ReadSelf() - cpuBefore).TotalSeconds;
        var storeCpuSeconds = (ProcessCpu.Read(storeProcess.Pid) - storeCpuBefore).TotalSeconds;
        var allocatedPerSample = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Math.Max(measured, 1);
        var gcs = $"{GC.CollectionCount(0) - gen0} / {GC.CollectionCount(1) - gen1} / {GC.CollectionCount(2) - gen2}";
        var loadAfter = MachineInfo.LoadAverageNow();

        var after = await sampleStore.Queue.StatsAsync();
        if (after.Ready != 0 || after.InFlight != 0 || after.Dead != 0)
        {
            problems.Add($"queue not empty after the run: {after.Ready} ready, {after.InFlight} in flight, {after.Dead} dead");
        }

        if (measured != samples)
        {
            problems.Add($"{measured} samples claimed in the measured window, expected {samples}");
        }

        var behaviour = provider.GetRequiredService<BehaviourStore>();
        var fromMinute = (now.ToUnixTimeSeconds() - 3700) / 60;
        var toMinute = (now.ToUnixTimeSeconds() / 60) + 2;
        var minuteCounts = await CountErrorSeriesAsync(behaviour, fromMinute, toMinute, hourly: false);
        var hourCounts = await CountErrorSeriesAsync(behaviour, fromMinute, toMinute, hourly: true);
        var minuteTotal = minuteCounts.Values.Sum();
        var hourTotal = hourCounts.Values.Sum();
        if (minuteTotal != total || hourTotal != total)
        {
            problems.Add($"the error series count {minuteTotal} samples by minute and {hourTotal} by hour, expected {total}");
        }

        var perSecond = measured / wall;
        var cpuPer1000 = cpuSeconds * 1000 / Math.Max(measured, 1);
        var perCpuSecond = measured / Math.Max(cpuSeconds, 1e-9);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"**evaluator**: one `OnlineEvaluator`, batch {batchSize}, {inFlight} rounds in flight (Gateway:OnlineEval:RoundsInFlight), {(cpu is null ? "not pinned" : $"every thread pinned to CPU {cpu}")}; Garnet in its own process (not pinned); `prompt:{EvaluatorSamples.Prompt}` v1 stable / v2 canary (90/10), six non-judge assertions; {warmupClaimed} warm-up samples first, unmeasured.");
        text.AppendLine();
        text.AppendLine("| Samples | Rounds | Wall (s) | Samples/s (wall) | Evaluator CPU (s) | CPU-s / 1,000 samples | Samples / CPU-second | Store CPU-s / 1,000 | Allocated / sample | GCs gen0/1/2 |");
        text.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| {measured:N0} | {rounds} | {wall:0.00} | {perSecond:N0} | {cpuSeconds:0.00} | {cpuPer1000:0.000} | {perCpuSecond:N0} | {storeCpuSeconds * 1000 / Math.Max(measured, 1):0.000} | {allocatedPerSample / 1024:N1} KB | {gcs} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Series check: the `error` metric counts {minuteTotal:N0} samples over {minuteCounts.Count} minute buckets and {hourTotal:N0} over {hourCounts.Count} hour buckets (expected {total:N0}: warm-up + measured); queue after: {after.Ready} ready, {after.InFlight} in flight, {after.Dead} dead.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Threads' allowed CPUs while measuring: {allowed}. Load average before / after the window: {loadBefore} / {loadAfter}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Goal (>= 2,000 samples/s on one core): wall {(perSecond >= 2000 ? "met" : "NOT met")} ({perSecond:N0}/s), CPU capacity {(perCpuSecond >= 2000 ? "met" : "NOT met")} ({perCpuSecond:N0} per CPU-second).");
        text.AppendLine();
        text.AppendLine($"Machine: {machine.ToMarkdown().Replace(MachineInfo.SharedPlacement, "the evaluator and Garnet are separate processes; only the evaluator is pinned", StringComparison.Ordinal)}");
        await Console.Out.WriteLineAsync(text.ToString());
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync($"FAILED: {problem}");
        }

        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task PushBundlesAsync(IServiceProvider provider, List<string> problems)
    {
        using var assertions = JsonDocument.Parse(EvaluatorSamples.AssertionsJson);
        var onlineEval = new PromptOnlineEval { Assert = [.. assertions.RootElement.EnumerateArray().Select(e => e.Clone())] };
        var registry = provider.GetRequiredService<PromptRegistry>();
        for (var version = 1; version <= 2; version++)
        {
            var content = new PromptBundleContent
            {
                Name = EvaluatorSamples.Prompt,
                Model = EvaluatorSamples.Model,
                Message = $"load test v{version}",
                Messages = [new PromptMessageTemplate("system", $"You are Acme's support agent (v{version}). Answer in {{{{ language }}}}.")],
                Variables = [new PromptVariable("language", Required: false, Default: "English", Description: null)],
                OnlineEval = onlineEval,
            };
            var (bundle, _) = await registry.PushAsync(content, $"lt-evaluator-v{version}", "loadtests");
            if (bundle.Version != version)
            {
                problems.Add($"pushed bundle {version} became version {bundle.Version} (the store was not empty?)");
            }
        }
    }

    /// <summary>The <c>error</c> metric's count per bucket: every scored sample has exactly one error reading.</summary>
    private static async Task<Dictionary<long, long>> CountErrorSeriesAsync(BehaviourStore behaviour, long fromMinute, long toMinute, bool hourly)
    {
        var counts = new Dictionary<long, long>();
        foreach (var (minute, entries) in await behaviour.ReadAsync(EvaluatorSamples.Prompt, EvaluatorSamples.Environment, fromMinute, toMinute, hourly))
        {
            foreach (var entry in entries)
            {
                if (SeriesField.TryParse((string)entry.Name!, out var field) && field.Metric == OnlineMetrics.Error && field.Stat == SeriesField.Count)
                {
                    counts[minute] = counts.GetValueOrDefault(minute) + (long)double.Parse((string)entry.Value!, CultureInfo.InvariantCulture);
                }
            }
        }

        return counts;
    }
}
