using System.Globalization;
using System.Text;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// The shadow measurement as Markdown, printed and written next to the JSON: the goal first, then each arm's medians over
/// rounds and pooled percentiles, the rounds themselves, what became of the copies, and the byte check.
/// </summary>
internal static class ShadowMarkdown
{
    public static string Write(ShadowReport report)
    {
        var text = new StringBuilder();
        var s = report.Settings;
        var store = s.StoreMode == StoreMode.Embedded ? "the gateway's embedded Garnet (its default: a child process of the gateway, its CPU and memory counted with the gateway's)" : "in a process of its own";
        var evaluator = s.EvaluatorApart
            ? "online evaluation in a `Gateway.Evaluator` process of its own on the same cores (`--evaluator process`; the gateway's own evaluator off, so its `evaluated` counts below are 0)"
            : "online evaluation in the gateway process (its default)";
        var controller = s.ControllerOff ? "`Gateway:Rollouts:Enabled=false` so nothing moves the step" : "its rollout controller on (the step's 24 h minimum holds it)";
        if (s.ExtraGatewaySettings.Count > 0)
        {
            controller += $", **diagnostic settings** {string.Join(", ", s.ExtraGatewaySettings.Select(x => $"`{x}`"))} (not the goal's configuration)";
        }
        text.Append(FormattableString.Invariant($"**shadow** (issue #17): one gateway (every feature on, store {store}, {evaluator}, {controller}, everything else (sampling, `Gateway:Shadow`) at its defaults), `prompt-chat` in the open model at {s.Rate:0.##} req/s per window. "));
        text.Append(FormattableString.Invariant($"Arm A `prompt:{ShadowArm.WithShadow.Prompt}` is in a rollout's shadow step (v2 candidate, share 100%); arm B `prompt:{ShadowArm.WithoutShadow.Prompt}` is the same bundle with no rollout. "));
        Line(text, $"{s.WarmupSeconds:0.##} s warm-up per arm, then {s.Rounds} round{(s.Rounds == 1 ? string.Empty : "s")} of one {s.WindowSeconds:0.##} s window per arm (A → B in odd rounds, B → A in even ones), {s.CooldownSeconds:0.##} s cool-down after each window. `{report.Command}`");
        text.AppendLine();
        if (report.Loss is { } loss)
        {
            text.AppendLine(loss.ToMarkdown());
        }

        var g = report.Goal;
        text.AppendLine("| Goal (issue #17) | Target | A (shadow 100%) p99 | B (no shadow) p99 | A − B (medians over rounds) | A − B (pooled) | Verdict |");
        text.AppendLine("|---|---|--:|--:|--:|--:|---|");
        var verdict = g.Verdict == "met" ? "met" : $"**{g.Verdict}**";
        Line(text, $"| {g.Goal} | {g.Target} | {Ms(g.ShadowedP99Ms)} | {Ms(g.PlainP99Ms)} | {Signed(g.DifferenceMs)} | {Signed(g.PooledDifferenceMs)} | {verdict} |");
        text.AppendLine();
        Line(text, $"- Per round, A p99 − B p99: {string.Join(", ", g.RoundDifferencesMs.Select(d => Signed(d)))} (median {Signed(ShadowGoalEvaluator.MedianOf(g.RoundDifferencesMs))}).");
        Line(text, $"- At p99.9 (not part of the goal; about {PerWindow(report) / 1000:0.#} requests above it per window): A − B {Signed(g.P999DifferenceMs)} (medians over rounds).");
        foreach (var note in g.Notes)
        {
            Line(text, $"- {note}.");
        }

        if (s.EvaluatorApart)
        {
            Line(text, $"- The evaluator process's CPU per client request, per window: {string.Join(", ", report.Windows.Select(w => FormattableString.Invariant($"{w.Arm}{w.Round} {w.EvaluatorCpuMicrosecondsPerRequest:0}")))} µs (not in the gateway's column below).");
        }

        text.AppendLine();
        WriteArms(text, report);
        text.AppendLine();
        WriteRounds(text, report);
        text.AppendLine();
        WriteCopies(text, report);
        text.AppendLine();
        WriteByteChecks(text, report);
        text.AppendLine();
        Line(text, $"A's release after the rollout started: `{report.Release}`");
        text.AppendLine();
        Line(text, $"Machine: {report.Machine.ToMarkdown()}");
        return text.ToString();
    }

    private static void WriteArms(StringBuilder text, ShadowReport report)
    {
        text.AppendLine("Client latency from each request's intended start (ms). *median* = each percentile's median over the arm's windows; *pooled* = every measured request of the arm in one histogram.");
        text.AppendLine();
        text.AppendLine("| Arm | Figures | Requests | Failed | Dropped | p50 | p90 | p99 | p99.9 | max | service time p99 | gateway CPU µs/req | mock CPU µs/req | copies answered |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var arm in report.Arms)
        {
            var name = arm.Shadowed ? $"A (shadow 100%) `{arm.Prompt}`" : $"B (no shadow) `{arm.Prompt}`";
            Line(text, $"| {name} | median | {arm.Requests:N0} | {arm.Failed} | {arm.Dropped} | {Row(arm.Latency)} | {Ms(arm.ServiceTime?.P99Ms)} | {arm.GatewayCpuMicrosecondsPerRequest:0.0} | {arm.MockCpuMicrosecondsPerRequest:0.0} | {arm.ShadowAnswered:N0} |");
            Line(text, $"| | pooled | | | | {Row(arm.PooledLatency)} | | | | |");
        }
    }

    private static void WriteRounds(StringBuilder text, ShadowReport report)
    {
        text.AppendLine("Every window (the order alternates per round). CPU per client request covers the window, its cool-down, the drain (waiting until no copy ended for 0.5 s) and the settling (waiting until the gateway used less than 0.15 cores over 0.5 s, so the next window does not inherit this one's samples to write and score); *other processes* is the CPU the machine's other processes used over the same time (`/proc/stat` user + nice + system minus the generator, gateway, mock and store), *steal* the time the hypervisor took the cores away. *Stalls*: the window's requests of 50 ms or more, grouped when due within 100 ms of each other (count, requests, the longest); GC pause is the gateway's `dotnet_gc_pause_time_seconds_total` over the window.");
        text.AppendLine();
        text.AppendLine("| Round | Arm | Req/s | p50 | p99 | p99.9 | max | gateway CPU µs/req | mock CPU µs/req | copies answered (by window end) | other outcomes | drain + settle (s) | samples taken / evaluated / dropped | stalls ≥ 50 ms | GC pause (ms) / gen2 | other processes / steal (cores) | load average before |");
        text.AppendLine("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|---|--:|--:|---|");
        foreach (var w in report.Windows)
        {
            var l = w.Report.Latency;
            Line(text, $"| {w.Round} | {w.Arm} | {w.Report.ThroughputPerSecond:N1} | {Ms(l?.P50Ms)} | {Ms(l?.P99Ms)} | {Ms(l?.P999Ms)} | {Ms(l?.MaxMs)} | {w.GatewayCpuMicrosecondsPerRequest:0.0} | {w.MockCpuMicrosecondsPerRequest:0.0} | {w.Counters.AnsweredCalls:N0} ({w.ShadowAnsweredByWindowEnd:N0}) | {w.Counters.DescribeOther()} | {w.DrainSeconds:0.0} + {w.SettleSeconds:0.0} | {w.Counters.SamplesTaken:N0} / {w.Counters.SamplesEvaluated:N0} / {w.Counters.SamplesDropped:N0} | {w.Stalls} | {w.Counters.GcPauseSeconds * 1000:0} / {w.Counters.Gen2Collections} | {w.OtherCores:0.00} / {w.StealCores:0.00} | {w.LoadAverageBefore} |");
        }
    }

    private static void WriteCopies(StringBuilder text, ShadowReport report)
    {
        var t = report.Totals;
        var span = new ShadowCounters(t.Calls, t.SamplesTaken, t.SamplesDropped);
        var run = new ShadowCounters(t.RunCalls, 0, 0);
        text.AppendLine("**The copies really happened.**");
        text.AppendLine();
        Line(text, $"- Over the load (both warm-ups and every window): {t.ShadowedSucceeded:N0} successful A requests, {t.PlainSucceeded:N0} successful B requests; `gateway_shadow_calls_total` rose by {span.DescribeCalls()}; unaccounted A requests (no copy in any outcome) {t.Unaccounted:N0}; samples taken {t.SamplesTaken:N0}, dropped {t.SamplesDropped:N0} (`gateway_samples_*_total`).");
        foreach (var warmup in report.Warmups.Where(w => w.Copies.Count > 0))
        {
            var cold = ReferenceEquals(warmup, report.Warmups[0]) ? ", the first load on a cold gateway" : string.Empty;
            Line(text, $"- Of which during {warmup.Arm}'s warm-up ({warmup.Sent:N0} requests{cold}): {new ShadowCounters(warmup.Copies, 0, 0).DescribeCalls()}.");
        }

        Line(text, $"- Since the gateway started (set-up and byte check included): `gateway_shadow_calls_total` {run.DescribeCalls()}.");
        if (report.Usage.Count > 0)
        {
            Line(text, $"- `GET /admin/v1/usage?groupBy=key,version,variant&prompt=…` since the run started:");
            text.AppendLine();
            text.AppendLine("| Prompt | Key | Version | Variant | Requests | Errors |");
            text.AppendLine("|---|---|--:|---|--:|--:|");
            foreach (var row in report.Usage.OrderBy(r => r.Prompt, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.Variant, StringComparer.Ordinal))
            {
                Line(text, $"| {row.Prompt} | {row.Key} | {row.Version} | {row.Variant} | {row.Requests:N0} | {row.Errors:N0} |");
            }
        }
    }

    private static void WriteByteChecks(StringBuilder text, ShadowReport report)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"**Byte identity.** The same request to A and to B (the body differs only in the prompt's name; both v1 bundles have the same messages), one pair after the other, before any load. Bodies compared byte for byte with {ByteIdentityCheck.Masks} masked; headers by name and value without {string.Join(", ", ByteIdentityCheck.PerResponseHeaders.Select(h => $"`{h}`"))}, the prompt's name masked (`X-Prompt-Name`).");
        text.AppendLine();
        text.AppendLine("| Kind | Pairs | Identical bodies | Identical headers | Body bytes A / B | A's framing | A copies answered | Result |");
        text.AppendLine("|---|--:|--:|--:|--:|---|--:|---|");
        foreach (var c in report.ByteChecks)
        {
            Line(text, $"| {c.Kind} | {c.Pairs} | {c.IdenticalBodies} | {c.IdenticalHeaders} | {c.ShadowedBodyBytes:N0} / {c.PlainBodyBytes:N0} | {c.Framing} | {c.CopiesAnswered} | {(c.Identical ? "identical" : "**different**")} |");
        }

        foreach (var difference in report.ByteChecks.SelectMany(c => c.Differences.Select(d => $"{c.Kind} {d}")))
        {
            Line(text, $"- {difference}");
        }
    }

    private static double PerWindow(ShadowReport report) => report.Settings.Rate * report.Settings.WindowSeconds;

    private static string Row(LatencySummary? l) => l is null ? "— | — | — | — | —" : $"{Ms(l.P50Ms)} | {Ms(l.P90Ms)} | {Ms(l.P99Ms)} | {Ms(l.P999Ms)} | {Ms(l.MaxMs)}";

    private static string Ms(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "—";

    private static string Signed(double? value) => value is { } v ? v.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture) + " ms" : "—";

    private static void Line(StringBuilder text, FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
}
