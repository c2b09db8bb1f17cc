using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Scenarios;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>rollback-under-load</c>: constant prompt load while the stable version flips between v1 and v2, through the admin
/// API or by a raw <c>SET</c>; or a rollout of v2 started (99%) and aborted, again and again. For each flip, the propagation time is how long after issuing it the last request was
/// still served the old version, judged by <c>X-Prompt-Version</c> and the request's send time.
/// </summary>
internal static class RollbackCommand
{
    private const string Prompt = "lt-flip";
    private const double RevalidationIntervalMs = 500;

    public static Command Create()
    {
        var flipOption = new Option<string>("--flip")
        {
            Description = "api: PUT …/releases/production (published); raw: SET of the release key (seen on the 500 ms revalidation); rollout-abort: rollout start (v2 at 99%) then rollout abort, measured on the aborts.",
            DefaultValueFactory = _ => "api",
        };
        flipOption.AcceptOnlyFromAmong("api", "raw", "rollout-abort");
        var flipsOption = NumberOption.Optional("--flips", "How many flips. Default: 20 (api), 10 (raw)", 1, 1000);
        var intervalOption = NumberOption.Optional("--flip-interval", "Seconds between flips. Default: 1 (api), 2 (raw)", 0.2, 60.0);
        var loadOptions = new LoadShapeOptions(defaultRate: 200, defaultConcurrency: 8, defaultWarmup: 2, defaultDuration: null);
        var fileOptions = new ResultFileOptions("rollback-<flip>");
        var command = new Command("rollback-under-load", "Prompt load while the release flips back and forth; propagation per flip.");
        command.Options.Add(flipOption);
        command.Options.Add(flipsOption);
        command.Options.Add(intervalOption);
        loadOptions.AddTo(command);
        fileOptions.AddTo(command);
        command.Options.Add(ConfigFile.CreateOption());
        HarnessAction.Set(command, result =>
        {
            var flip = result.GetValue(flipOption)!;
            var flips = result.GetValue(flipsOption) ?? (flip == "raw" ? 10 : 20);
            var interval = result.GetValue(intervalOption) ?? (flip == "raw" ? 2 : 1);
            var load = loadOptions.Read(result, computedDuration: flips * interval + 1);
            return RunAsync(flip, flips, interval, load, fileOptions.Files(result), fileOptions.NameOr(result, $"rollback-{flip}"));
        });
        return command;
    }

    private static async Task<int> RunAsync(string flip, int flips, double interval, LoadShape load, ResultFiles files, string name)
    {
        if (load.DurationSeconds < flips * interval)
        {
            throw new UsageException($"--duration must cover the flips: at least {flips * interval} s.");
        }

        var machine = MachineInfo.Describe();
        var startedAt = DateTimeOffset.UtcNow;
        await Console.Error.WriteLineAsync($"rollback-under-load ({flip}): {flips} flips every {interval} s under {load.Describe()}; starting the systems...");
        await using var bed = await TestBed.StartAsync(yarp: false, gateway: true);
        using (var controlPlane = new ControlPlane(bed.GatewayUrl!))
        {
            await controlPlane.SetUpPromptAsync(Prompt, canaryWeightBps: 0, samplingRate: null);
        }

        using (var probe = new GatewayProbe(bed.GatewayUrl!))
        {
            await probe.WaitForVersionAsync(Prompt, bed.ApiKey, 1, TimeSpan.FromSeconds(10));
        }

        await using var flipper = flip switch
        {
            "api" => ReleaseFlipper.ThroughApi(Prompt, bed.GatewayUrl!),
            "rollout-abort" => ReleaseFlipper.ThroughRollouts(Prompt, bed.GatewayUrl!),
            _ => await ReleaseFlipper.ThroughRawSetAsync(Prompt, bed.StoreEndpoint!),
        };

        var outcomes = new ConcurrentQueue<(long SentAt, int? Version)>();
        var options = load.ToOptions(bed.GatewayUrl!, bed.ApiKey, ScenarioKind.PromptChat, prompt: Prompt);
        using var interrupt = new InterruptSignal();
        var loadStart = Stopwatch.GetTimestamp();
        var loadTask = new LoadTest(options, outcome => outcomes.Enqueue((outcome.SentAt, VersionOf(outcome)))).RunAsync(interrupt.Token);

        var flipLog = new List<(long At, int ToVersion, double CallMs)>();
        await Task.Delay(TimeSpan.FromSeconds(load.WarmupSeconds + 0.5));
        for (var i = 0; i < flips && !interrupt.Token.IsCancellationRequested; i++)
        {
            var toVersion = i % 2 == 0 ? 2 : 1;
            var at = Stopwatch.GetTimestamp();
            await flipper.FlipToAsync(toVersion);
            flipLog.Add((at, toVersion, Stopwatch.GetElapsedTime(at).TotalMilliseconds));
            var next = at + (long)(interval * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        var report = await loadTask;
        var all = outcomes.ToArray();
        var results = new List<FlipResult>();
        for (var i = 0; i < flipLog.Count; i++)
        {
            var (at, toVersion, callMs) = flipLog[i];
            if (flip == "rollout-abort" && toVersion == 2)
            {
                // A rollout start serves v2 to 99% of the requests, not all: there is no clean cut-over to time. Only the
                // aborts are measured; the starts just bound the windows.
                continue;
            }

            var until = i + 1 < flipLog.Count ? flipLog[i + 1].At : long.MaxValue;
            var window = all.Where(o => o.SentAt >= at && o.SentAt < until && o.Version is not null).ToList();
            var stale = window.Where(o => o.Version != toVersion).ToList();
            double? propagation = window.Any(o => o.Version == toVersion)
                ? stale.Count == 0 ? 0 : Stopwatch.GetElapsedTime(at, stale.Max(o => o.SentAt)).TotalMilliseconds
                : null;
            results.Add(new FlipResult(Stopwatch.GetElapsedTime(loadStart, at).TotalSeconds, toVersion, callMs, propagation, window.Count, stale.Count));
        }

        var propagated = results.Where(r => r.PropagationMs is not null).Select(r => r.PropagationMs!.Value).ToList();
        var command = $"rollback-under-load --flip {flip} --flips {flips} --flip-interval {interval.ToString(CultureInfo.InvariantCulture)} --rate {load.Rate?.ToString(CultureInfo.InvariantCulture)}";
        var rollback = new RollbackReport(
            startedAt,
            command,
            machine,
            flip,
            RevalidationIntervalMs,
            results,
            Percentiles.Of(propagated, 50),
            Percentiles.Of(propagated, 99),
            propagated.Count > 0 ? propagated.Max() : 0,
            results.Count(r => r.PropagationMs is null),
            report);

        var markdown = Markdown(rollback, load);
        await Console.Out.WriteLineAsync(markdown);
        await files.WriteJsonAsync($"{name}.json", rollback, LoadTestJsonContext.Default.RollbackReport);
        await files.WriteTextAsync($"{name}.md", markdown);
        await Console.Out.WriteLineAsync($"Results: {files.PathOf(name)}.{{md,json}}");
        return 0;
    }

    private static int? VersionOf(RequestOutcome outcome) =>
        outcome.Tag is { } tag && tag.StartsWith('v') && int.TryParse(tag.AsSpan(1, tag.IndexOf(' ', StringComparison.Ordinal) - 1), CultureInfo.InvariantCulture, out var version)
            ? version
            : null;

    private static string Markdown(RollbackReport report, LoadShape load)
    {
        var text = new StringBuilder();
        var r = report.Load;
        var how = report.Flip switch
        {
            "api" => "admin API (`PUT …/releases/production`, published)",
            "rollout-abort" => "rollout API: `POST …/rollouts/production` (v2 at 99%), then `POST …/rollouts/production/abort`, measured on the aborts (→v1)",
            _ => "raw `SET` of the release key (not published; revalidation every 500 ms)",
        };
        text.AppendLine(CultureInfo.InvariantCulture, $"**rollback-under-load**, flips through the {how}; {load.Describe()} of `prompt:{Prompt}`; `{report.Command}`");
        text.AppendLine();
        text.AppendLine("| Flips | Propagation p50 (ms) | p99 (ms) | max (ms) | Never propagated | Flip call p50 (ms) | Requests | Errors | Latency p99 (ms) |");
        text.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| {report.Flips.Count} | {report.PropagationP50Ms:0.0} | {report.PropagationP99Ms:0.0} | {report.PropagationMaxMs:0.0} | {report.NotPropagated} | {Percentiles.Of([.. report.Flips.Select(f => f.FlipCallMs)], 50):0.0} | {r.Requests.Measured} | {r.Requests.Failed} | {r.Latency?.P99Ms:0.000} |");
        text.AppendLine();
        text.AppendLine("Per flip (propagation = from issuing the flip to the send time of the last request still served the old version; with few flips p99 is the max):");
        text.AppendLine();
        text.AppendLine(string.Join(", ", report.Flips.Select(f => string.Create(CultureInfo.InvariantCulture, $"→v{f.ToVersion} {(f.PropagationMs is { } p ? $"{p:0.0} ms" : "never")} ({f.StaleAfter}/{f.RequestsAfter} stale)"))));
        if (r.Errors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine($"Errors: {string.Join(", ", r.Errors.Select(e => $"{e.Key} {e.Value}"))}.");
        }

        text.AppendLine();
        text.AppendLine($"Machine: {report.Machine.ToMarkdown()}");
        return text.ToString();
    }
}
