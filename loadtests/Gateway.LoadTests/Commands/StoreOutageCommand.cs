using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>store-outage</c>: prompt-chat load (canary, sampling at 5%, accounting) while the gateway's connection to its store
/// is cut for <c>--outage</c> seconds and then given back. Serving a prompt needs no store write (the release comes
/// from the in-process snapshot, the key from the auth cache, usage and samples are queued and may be dropped), so
/// the goal is zero failed requests. Reports the errors around the cut, the samples dropped (the gateway's own
/// counter on <c>/metrics</c>), and the time from giving the store back to <c>/readyz</c> being Healthy again.
/// </summary>
internal static class StoreOutageCommand
{
    private const string SamplesTaken = "gateway_samples_taken_total";
    private const string SamplesDropped = "gateway_samples_dropped_total";
    private const string UsageSamplesDropped = "gateway_usage_samples_dropped_total";

    public static Command Create()
    {
        var beforeOption = NumberOption.Create("--before", "Seconds of load before the cut.", 5.0, 1, 600);
        var outageOption = NumberOption.Create("--outage", "Seconds the store stays cut.", 10.0, 1, 600);
        var afterOption = NumberOption.Create("--after", "Seconds of load after the store is given back.", 15.0, 1, 600);
        var loadOptions = new LoadShapeOptions(defaultRate: 100, defaultConcurrency: 8, defaultWarmup: 2, defaultDuration: null);
        var fileOptions = new ResultFileOptions("store-outage");
        var command = new Command("store-outage", "Prompt load while the store connection is cut, then given back.");
        command.Options.Add(beforeOption);
        command.Options.Add(outageOption);
        command.Options.Add(afterOption);
        loadOptions.AddTo(command);
        fileOptions.AddTo(command);
        command.Options.Add(ConfigFile.CreateOption());
        HarnessAction.Set(command, result =>
        {
            var before = result.GetValue(beforeOption);
            var outage = result.GetValue(outageOption);
            var after = result.GetValue(afterOption);
            var load = loadOptions.Read(result, computedDuration: before + outage + after);
            return RunAsync(before, outage, after, load, fileOptions.Files(result), fileOptions.NameOr(result, "store-outage"));
        });
        return command;
    }

    private static async Task<int> RunAsync(double before, double outage, double after, LoadShape load, ResultFiles files, string name)
    {
        var machine = MachineInfo.Describe();
        var startedAt = DateTimeOffset.UtcNow;
        await Console.Error.WriteLineAsync($"store-outage: {outage} s cut after {before} s of {load.Describe()}; starting the systems...");
        await using var bed = await TestBed.StartAsync(yarp: false, gateway: true, relayStore: true);
        await PromptSetUp.CanaryWithSamplingAsync(bed, bed.GatewayUrl!);
        using var probe = new GatewayProbe(bed.GatewayUrl!);

        var failures = new ConcurrentQueue<(long SentAt, string Error)>();
        long total = 0;
        var sentTimes = new ConcurrentQueue<long>();
        using var interrupt = new Execution.InterruptSignal();
        var options = load.ToOptions(bed.GatewayUrl!, bed.ApiKey, Options.ScenarioKind.PromptChat);
        var loadTask = new Execution.LoadTest(options, outcome =>
        {
            Interlocked.Increment(ref total);
            sentTimes.Enqueue(outcome.SentAt);
            if (outcome.Error is { } error)
            {
                failures.Enqueue((outcome.SentAt, error));
            }
        }).RunAsync(interrupt.Token);

        await Task.Delay(TimeSpan.FromSeconds(load.WarmupSeconds + before));
        var takenBefore = await probe.MetricSumAsync(SamplesTaken);
        var droppedBefore = await probe.MetricSumAsync(SamplesDropped);
        var usageDroppedBefore = await probe.MetricSumAsync(UsageSamplesDropped);

        var cutAt = Stopwatch.GetTimestamp();
        bed.Relay!.Cut();
        await Console.Error.WriteLineAsync("  store cut");
        var readiness = new List<string>();
        while (Stopwatch.GetElapsedTime(cutAt).TotalSeconds < outage)
        {
            var status = await probe.ReadinessAsync();
            if (!readiness.Contains(status))
            {
                readiness.Add(status);
            }

            await Task.Delay(250);
        }

        bed.Relay.Restore();
        var restoredAt = Stopwatch.GetTimestamp();
        await Console.Error.WriteLineAsync("  store restored");
        double? recovery = null;
        while (Stopwatch.GetElapsedTime(restoredAt).TotalSeconds < after + 30)
        {
            if (await probe.ReadinessAsync() == "Healthy")
            {
                recovery = Stopwatch.GetElapsedTime(restoredAt).TotalSeconds;
                break;
            }

            await Task.Delay(50);
        }

        var recoveredAt = recovery is { } seconds ? restoredAt + (long)(seconds * Stopwatch.Frequency) : long.MaxValue;
        var report = await loadTask;

        // Let the background writers flush what they still hold before reading the counters.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var takenDelta = await probe.MetricSumAsync(SamplesTaken) - takenBefore;
        var droppedDelta = await probe.MetricSumAsync(SamplesDropped) - droppedBefore;
        var usageDroppedDelta = await probe.MetricSumAsync(UsageSamplesDropped) - usageDroppedBefore;

        var all = failures.ToArray();
        var during = all.Where(f => f.SentAt >= cutAt && f.SentAt < recoveredAt).ToList();
        var outageReport = new OutageReport(
            startedAt,
            $"store-outage --rate {load.Rate?.ToString(CultureInfo.InvariantCulture)} --before {before} --outage {outage} --after {after}",
            machine,
            outage,
            sentTimes.Count(t => t >= cutAt && t < recoveredAt),
            all.Count(f => f.SentAt < cutAt),
            during.Count,
            all.Count(f => f.SentAt >= recoveredAt),
            during.GroupBy(f => f.Error).ToDictionary(g => g.Key, g => (long)g.Count()),
            readiness,
            recovery,
            takenDelta,
            droppedDelta,
            usageDroppedDelta,
            report);

        var markdown = Markdown(outageReport, load);
        await Console.Out.WriteLineAsync(markdown);
        await files.WriteJsonAsync($"{name}.json", outageReport, LoadTestJsonContext.Default.OutageReport);
        await files.WriteTextAsync($"{name}.md", markdown);
        await Console.Out.WriteLineAsync($"Results: {files.PathOf(name)}.{{md,json}}");
        return 0;
    }

    private static string Markdown(OutageReport report, LoadShape load)
    {
        var text = new StringBuilder();
        var r = report.Load;
        text.AppendLine(CultureInfo.InvariantCulture, $"**store-outage**: {load.Describe()} of `prompt:lt-support` (10% canary, sampling 5%), store connection cut for {report.OutageSeconds:0} s; `{report.Command}`");
        text.AppendLine();
        text.AppendLine("| Requests (all) | Sent during outage + recovery | Errors before | Errors during | Errors after | /readyz while cut | Recovery to Healthy (s) | Samples taken | Samples dropped | Usage samples dropped | Latency p99 (ms) | max (ms) |");
        text.AppendLine("|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Requests.Measured + r.Requests.Warmup} | {report.RequestsDuringOutage} | {report.ErrorsBefore} | {report.ErrorsDuring} | {report.ErrorsAfter} | {string.Join(", ", report.ReadinessDuringOutage)} | {(report.RecoverySeconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "never")} | {report.SamplesTakenDelta:0} | {report.SamplesDroppedDelta:0} | {report.UsageSamplesDroppedDelta:0} | {r.Latency?.P99Ms:0.000} | {r.Latency?.MaxMs:0.000} |");
        if (report.ErrorKindsDuring.Count > 0)
        {
            text.AppendLine();
            text.AppendLine($"Errors during the outage: {string.Join(", ", report.ErrorKindsDuring.Select(e => $"{e.Key} {e.Value}"))}.");
        }

        text.AppendLine();
        text.AppendLine("Samples and usage-sample counters are deltas of the gateway's own Prometheus counters from just before the cut to 2 s after the load ended.");
        text.AppendLine();
        text.AppendLine($"Machine: {report.Machine.ToMarkdown()}");
        return text.ToString();
    }
}
