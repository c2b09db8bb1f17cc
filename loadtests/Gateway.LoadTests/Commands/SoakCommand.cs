using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>soak</c>: prompt-chat at a moderate constant rate for a long time against the gateway in its own process. Its
/// resident set (from <c>/proc</c>) and GC heap (the runtime's <c>System.Runtime</c> meter on <c>/metrics</c>) are read
/// every <c>--sample-every</c> seconds after the warmup; the goal is no growth beyond 10% from the first reading to the last.
/// </summary>
internal static class SoakCommand
{
    private const string GcHeapMetric = "dotnet_gc_last_collection_heap_size_bytes";

    /// <summary>The soak's goal: no growth beyond this from the first reading to the last.</summary>
    private const double GrowthGoalPercent = 10;

    public static Command Create()
    {
        var everyOption = NumberOption.Create("--sample-every", "Seconds between memory readings.", 10.0, 1, 600);
        var loadOptions = new LoadShapeOptions(defaultRate: 200, defaultConcurrency: 8, defaultWarmup: 30, defaultDuration: 600);
        var fileOptions = new ResultFileOptions("soak");
        var command = new Command("soak", "Long prompt-chat run; proxy RSS and GC heap from start to end.");
        command.Options.Add(everyOption);
        loadOptions.AddTo(command);
        fileOptions.AddTo(command);
        command.Options.Add(ConfigFile.CreateOption());
        HarnessAction.Set(command, result => RunAsync(loadOptions.Read(result), result.GetValue(everyOption), fileOptions.Files(result), fileOptions.NameOr(result, "soak")));
        return command;
    }

    private static async Task<int> RunAsync(LoadShape load, double every, ResultFiles files, string name)
    {
        var machine = MachineInfo.Describe();
        var startedAt = DateTimeOffset.UtcNow;
        await Console.Error.WriteLineAsync($"soak: {load.Describe()} for {load.WarmupSeconds} s warmup + {load.DurationSeconds} s; starting the systems...");
        // The store as the gateway ships it, in its own child process, whose memory is watched too: a soak of the
        // gateway alone said nothing of the store's growth (88 → 336 MB in five minutes in one run, RESULTS.md).
        await using var bed = await TestBed.StartAsync(yarp: false, gateway: true, storeMode: StoreMode.Embedded);
        using var probe = new GatewayProbe(bed.GatewayUrl!);
        using var interrupt = new Execution.InterruptSignal();

        // Ctrl+C, or the gateway or its store ending: the load stops at once either way.
        using var stop = bed.Children.StopOn(interrupt.Token);
        Task<LoadTestReport>? loadTask = null;
        var points = new List<MemoryPoint>();
        var loss = await bed.Children.GuardAsync(async () =>
        {
            bed.Children.Stage = "the prompt set-up";
            await PromptSetUp.CanaryWithSamplingAsync(bed, bed.GatewayUrl!);
            bed.Children.Stage = "the soak's warm-up";
            loadTask = new Execution.LoadTest(load.ToOptions(bed.GatewayUrl!, bed.ApiKey, Options.ScenarioKind.PromptChat)).RunAsync(stop.Token);
            await Task.WhenAny(loadTask, Task.Delay(TimeSpan.FromSeconds(load.WarmupSeconds)));
            var measureStart = Stopwatch.GetTimestamp();
            while (!loadTask.IsCompleted)
            {
                bed.Children.Stage = string.Create(CultureInfo.InvariantCulture, $"the soak, {Stopwatch.GetElapsedTime(measureStart).TotalSeconds:0} s after its warm-up");
                var memory = bed.Gateway!.ReadMemory();
                var heap = await probe.MetricSumAsync(GcHeapMetric);
                var store = bed.Store?.ReadMemory().RssMb;
                var point = new MemoryPoint(Stopwatch.GetElapsedTime(measureStart).TotalSeconds, memory.RssMb, heap > 0 ? heap / 1024 / 1024 : null, store);
                points.Add(point);
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  t={point.Seconds:0} s  RSS {point.RssMb:0.0} MB + store {point.StoreRssMb:0.0} MB  GC heap {point.GcHeapMb:0.0} MB"));
                await Task.WhenAny(loadTask, Task.Delay(TimeSpan.FromSeconds(every)));
            }
        });

        // The load stops with the lost process (or never started, when it went during the set-up).
        var report = loadTask is null ? null : await loadTask;
        if (loss is not null)
        {
            await Console.Error.WriteLineAsync($"soak: stopped: {loss.Reason}");
        }
        else if (points.Count == 0)
        {
            await Console.Error.WriteLineAsync("soak: interrupted before the first reading; nothing to report.");
            return 1;
        }

        // A run stopped before its first reading has none: its figures read 0, and its verdict says why.
        var first = points.FirstOrDefault() ?? new MemoryPoint(0, 0, null);
        var last = points.LastOrDefault() ?? first;
        var soak = new SoakReport(
            startedAt,
            $"soak --rate {load.Rate?.ToString(CultureInfo.InvariantCulture)} --warmup {load.WarmupSeconds} --duration {load.DurationSeconds}",
            machine,
            points,
            first.RssMb,
            last.RssMb,
            points.Count > 0 ? points.Max(p => p.RssMb) : 0,
            Growth(first.RssMb, last.RssMb),
            first.GcHeapMb,
            last.GcHeapMb,
            first.GcHeapMb is { } h0 && last.GcHeapMb is { } h1 ? Growth(h0, h1) : null,
            report,
            first.WithStoreMb,
            last.WithStoreMb,
            points.Count > 0 ? points.Max(p => p.WithStoreMb) : 0,
            Growth(first.WithStoreMb, last.WithStoreMb),
            loss);

        var markdown = Markdown(soak, load);
        await Console.Out.WriteLineAsync(markdown);
        await files.WriteJsonAsync($"{name}.json", soak, LoadTestJsonContext.Default.SoakReport);
        await files.WriteTextAsync($"{name}.md", markdown);
        if (points.Count > 0)
        {
            SaveChart(files.PathOf($"{name}.png"), load, points);
        }

        await Console.Out.WriteLineAsync($"Results: {files.PathOf(name)}.{{md,json{(points.Count > 0 ? ",png" : string.Empty)}}}");
        return await LoadTestsCommandLine.ExitCodeAsync(loss);
    }

    private static void SaveChart(string path, LoadShape load, List<MemoryPoint> points) =>
        LatencyChart.SaveSeries(
            path,
            $"soak, {load.Describe()} of prompt-chat: gateway memory",
            "MB",
            [
                ("RSS", [.. points.Select(p => p.Seconds)], [.. points.Select(p => p.RssMb)]),
                ("RSS with its store", [.. points.Select(p => p.Seconds)], [.. points.Select(p => p.WithStoreMb)]),
                ("GC heap (after last GC)", [.. points.Select(p => p.Seconds)], [.. points.Select(p => p.GcHeapMb ?? 0)]),
            ]);

    private static double Growth(double first, double last) => first > 0 ? (last / first - 1) * 100 : 0;

    private static string Markdown(SoakReport report, LoadShape load)
    {
        var text = new StringBuilder();
        var r = report.Load;
        text.AppendLine(CultureInfo.InvariantCulture, $"**soak**: {load.Describe()} of `prompt:lt-support` (10% canary, sampling 5%) for {load.DurationSeconds:0} s after a {load.WarmupSeconds:0} s warmup; `{report.Command}`");
        text.AppendLine();
        if (report.Loss is { } loss)
        {
            text.AppendLine(loss.ToMarkdown());
            text.AppendLine(CultureInfo.InvariantCulture, $"Goal (memory growth at most {GrowthGoalPercent:0}% from the first reading to the last): **not met**: {loss.Reason}.");
            text.AppendLine();
        }

        text.AppendLine("| Requests | Errors | Latency p50 / p99 / max (ms) | RSS start → end (MB) | RSS max (MB) | RSS growth | with its store: start → end (MB) | max (MB) | growth | GC heap start → end (MB) | GC heap growth |");
        text.AppendLine("|--:|--:|---|---|--:|--:|---|--:|--:|---|--:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| {r?.Requests.Measured} | {r?.Requests.Failed} | {r?.Latency?.P50Ms:0.000} / {r?.Latency?.P99Ms:0.000} / {r?.Latency?.MaxMs:0.0} | {report.RssStartMb:0.0} → {report.RssEndMb:0.0} | {report.RssMaxMb:0.0} | {report.RssGrowthPercent:+0.0;-0.0}% | {report.WithStoreStartMb:0.0} → {report.WithStoreEndMb:0.0} | {report.WithStoreMaxMb:0.0} | {report.WithStoreGrowthPercent:+0.0;-0.0}% | {report.GcHeapStartMb:0.0} → {report.GcHeapEndMb:0.0} | {report.GcHeapGrowthPercent:+0.0;-0.0}% |");
        text.AppendLine();
        text.AppendLine($"Machine: {report.Machine.ToMarkdown()}");
        return text.ToString();
    }
}
