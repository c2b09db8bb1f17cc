using System.Globalization;
using System.Text;
using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// The comparison as Markdown, printed and written next to the JSON, ready to paste into <c>loadtests/RESULTS.md</c>:
/// the goals table first (goal, gateway, bare YARP, the compared figure, verdict), then one table per phase of medians
/// over rounds, and one of the rounds themselves so the spread is visible. "Added" is a percentile minus the baseline's
/// percentile; percentiles do not subtract request by request, so small negative values are noise.
/// </summary>
internal static class CompareMarkdown
{
    public static string Write(CompareReport report)
    {
        var text = new StringBuilder();
        var s = report.Settings;
        var store = s.StoreMode == StoreMode.Embedded ? "the gateway's embedded Garnet (its default: a child process of the gateway, its CPU and memory counted with the gateway's)" : "in a process of its own";
        var warmup = report.Phases.Count > 0 ? report.Phases[0].WarmupSeconds : 0;
        var window = report.Phases.Count > 0 ? report.Phases[0].WindowSeconds : 0;
        Line(text, $"**compare**: {s.Rounds} interleaved rounds ({string.Join(" → ", s.Systems)}) of {window:0.##} s per system, after a {warmup:0.##} s warm-up per system and phase{s.WarmupConditions()} (not measured); {s.CooldownSeconds:0.##} s cool-down before each reading; store {store}. Figures are medians over rounds. `{report.Command}`");
        text.AppendLine();
        if (report.Loss is { } loss)
        {
            text.AppendLine(loss.ToMarkdown());
        }

        WriteGoals(text, report.Goals);
        foreach (var phase in report.Phases)
        {
            text.AppendLine();
            WritePhase(text, phase);
        }

        text.AppendLine();
        Line(text, $"Machine: {report.Machine.ToMarkdown()}");
        return text.ToString();
    }

    private static void WriteGoals(StringBuilder text, IReadOnlyList<GoalCheck> goals)
    {
        var measured = goals.Where(g => g.Verdict != GoalCheck.NotMeasured).ToList();
        if (measured.Count > 0)
        {
            text.AppendLine("| Goal (issue #14) | Target | Gateway | Bare YARP | Measured | Verdict | From |");
            text.AppendLine("|---|---|--:|--:|--:|---|---|");
        }

        foreach (var goal in measured)
        {
            var verdict = goal.Verdict == GoalCheck.Met ? "met" : $"**{goal.Verdict}**";
            Line(text, $"| {goal.Goal} | {goal.Target} | {goal.Gateway ?? "—"} | {goal.Baseline ?? "—"} | {goal.Measured ?? "—"} | {verdict} | {goal.Phase ?? "—"} |");
        }

        var notes = measured.Where(g => !string.IsNullOrEmpty(g.Note)).ToList();
        if (notes.Count > 0)
        {
            text.AppendLine();
            foreach (var goal in notes)
            {
                Line(text, $"- {goal.Goal}: {goal.Note}.");
            }
        }

        // A single-scenario run measures only some goals; say which are missing and why, in one line.
        var missing = goals.Where(g => g.Verdict == GoalCheck.NotMeasured).ToList();
        if (missing.Count > 0)
        {
            text.AppendLine();
            Line(text, $"Not measured in this run (`compare --scenario goals` measures all): {string.Join("; ", missing.Select(g => $"{g.Goal} ({g.Note})"))}.");
        }
    }

    private static void WritePhase(StringBuilder text, PhaseResult phase)
    {
        Line(text, $"#### {phase.Name}: {phase.Load}");
        text.AppendLine();
        if (phase.StoppedBy is { } reason)
        {
            var what = phase.Windows.Count == 0 ? "No window measured" : Invariant($"Stopped after {phase.Windows.Count} complete window(s)");
            Line(text, $"**{what}**: {reason}.");
            text.AppendLine();
            if (phase.Windows.Count == 0)
            {
                return;
            }
        }

        var stream = phase.Targets.Any(t => t.TimeToFirstToken is not null);
        var baseline = phase.Of(SystemNames.YarpBare);
        var header = "| System | Sent as | Throughput (req/s) | p50 (ms) | p99 (ms) | p99.9 (ms) | p99 vs yarp-bare (ms) |"
            + (stream ? " TTFT p50 (ms) | TTFT p99 (ms) | TTFT p99 vs yarp-bare (ms) |" : string.Empty)
            + " CPU (µs/req) | Alloc (KB/req) | Peak RSS (MB) | Requests | Errors | Dropped |";
        text.AppendLine(header);
        text.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("--:|", header.Count(c => c == '|') - 3)));
        foreach (var t in phase.Targets)
        {
            var row = new StringBuilder();
            row.Append(Invariant($"| {t.System} | {t.SentAs} | {Number(t.ThroughputPerSecond, "N1")} | {Number(t.Latency?.P50Ms, "0.000")} | {Number(t.Latency?.P99Ms, "0.000")} | {Number(t.Latency?.P999Ms, "0.000")} | {Added(t.Latency?.P99Ms, baseline?.Latency?.P99Ms)} |"));
            if (stream)
            {
                row.Append(Invariant($" {Number(t.TimeToFirstToken?.P50Ms, "0.000")} | {Number(t.TimeToFirstToken?.P99Ms, "0.000")} | {Added(t.TimeToFirstToken?.P99Ms, baseline?.TimeToFirstToken?.P99Ms)} |"));
            }

            var cpu = t.StorePeakRssMb is not null
                ? Invariant($"{Number(t.CpuMicrosecondsPerRequest, "0.0")} + store {Number(t.CpuWithStoreMicrosecondsPerRequest - t.CpuMicrosecondsPerRequest, "0.0")}")
                : Number(t.CpuMicrosecondsPerRequest, "0.0");
            var rss = t.StorePeakRssMb is { } storeRss ? Invariant($"{Number(t.PeakRssMb, "0")} + store {storeRss:0}") : Number(t.PeakRssMb, "0");
            row.Append(Invariant($" {cpu} | {Number(t.AllocatedBytesPerRequest / 1024, "0.00")} | {rss} | {t.Requests:N0} | {t.Failed} | {t.Dropped} |"));
            text.AppendLine(row.ToString());
        }

        WriteRounds(text, phase, stream);
        WritePhaseNotes(text, phase);
    }

    private static void WriteRounds(StringBuilder text, PhaseResult phase, bool stream)
    {
        var systems = phase.Targets.Select(t => t.System).ToList();
        if (phase.RoundsCompleted == 0 || systems.Count == 0)
        {
            return;
        }

        var ratio = !phase.OpenModel && systems.Contains(SystemNames.Gateway) && systems.Contains(SystemNames.YarpBare);
        var latency = stream ? "TTFT p99" : "p99";
        text.AppendLine();
        var header = "| Round | " + string.Join(" | ", systems.Select(s => $"{s} req/s")) + " | " + string.Join(" | ", systems.Select(s => $"{s} {latency} (ms)"))
            + " | " + string.Join(" | ", systems.Select(s => $"{s} CPU (µs/req)")) + (ratio ? " | gateway ÷ yarp-bare |" : " |");
        text.AppendLine(header);
        text.AppendLine("|--:|" + string.Concat(Enumerable.Repeat("--:|", header.Count(c => c == '|') - 2)));
        foreach (var round in phase.Windows.GroupBy(w => w.Round).OrderBy(g => g.Key))
        {
            var bySystem = round.ToDictionary(w => w.System, StringComparer.Ordinal);
            var cells = new List<string> { round.Key.ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(systems.Select(s => Number(bySystem.GetValueOrDefault(s)?.Report.ThroughputPerSecond, "N1")));
            cells.AddRange(systems.Select(s => Number(stream ? bySystem.GetValueOrDefault(s)?.Report.TimeToFirstToken?.P99Ms : bySystem.GetValueOrDefault(s)?.Report.Latency?.P99Ms, "0.000")));
            cells.AddRange(systems.Select(s => Number(bySystem.GetValueOrDefault(s)?.CpuWithStoreMicrosecondsPerRequest, "0.0")));
            if (ratio)
            {
                var g = bySystem.GetValueOrDefault(SystemNames.Gateway)?.Report.ThroughputPerSecond;
                var y = bySystem.GetValueOrDefault(SystemNames.YarpBare)?.Report.ThroughputPerSecond;
                cells.Add(g is { } gv && y is { } yv && yv > 0 ? (gv / yv).ToString("0.00", CultureInfo.InvariantCulture) : "—");
            }

            text.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    private static void WritePhaseNotes(StringBuilder text, PhaseResult phase)
    {
        var notes = new List<string>();
        var warmups = string.Join(", ", phase.Warmups.Select(w => Invariant($"{w.System} {w.Requests:N0} requests in {w.Seconds:0.#} s{(w.Failed > 0 ? $" ({w.Failed} failed)" : string.Empty)}{(w.FinalJitMethodsPerSecond is { } jit ? $", JIT {jit:0.#} methods/s at its end" : string.Empty)}{(w.FinalStoreJitShare is { } storeJit ? $", the store's JIT thread {storeJit:P1} of a core" : string.Empty)}")));
        if (warmups.Length > 0)
        {
            notes.Add($"Warm-up: {warmups}.");
        }

        foreach (var t in phase.Targets.Where(t => t.ResponseTags.Count > 0))
        {
            var total = t.ResponseTags.Values.Sum();
            notes.Add($"{t.System} served: " + string.Join(", ", t.ResponseTags.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => Invariant($"{x.Key} {x.Value:N0} ({100.0 * x.Value / total:0.0}%)"))) + ".");
        }

        foreach (var t in phase.Targets.Where(t => t.Errors.Count > 0))
        {
            notes.Add($"{t.System} errors: {string.Join(", ", t.Errors.Select(e => $"{e.Key} {e.Value}"))}.");
        }

        var windowsBySystem = phase.Targets.Select(t => (t.System, Windows: phase.Windows.Where(w => w.System == t.System).ToList()))
            .Where(x => x.Windows.Count > 0)
            .ToList();
        var gc = windowsBySystem.Select(x => Invariant($"{x.System} {x.Windows.Sum(w => w.Runtime.Gen0Collections)}/{x.Windows.Sum(w => w.Runtime.Gen1Collections)}/{x.Windows.Sum(w => w.Runtime.Gen2Collections)}"));
        notes.Add($"GC collections (gen0/gen1/gen2, all windows): {string.Join(", ", gc)}.");
        var paused = windowsBySystem.Select(x => Invariant($"{x.System} {string.Join(" / ", x.Windows.Select(w => w.Runtime.GcPause.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)))}"));
        notes.Add($"GC pause in each window (ms; every request in flight waits it out): {string.Join(", ", paused)}.");
        var jitted = windowsBySystem.Select(x => Invariant($"{x.System} {string.Join(" / ", x.Windows.Select(w => w.Runtime.JitCompiledMethods))}"));
        notes.Add($"Methods the JIT compiled in each window (a warm process compiles next to none): {string.Join(", ", jitted)}.");
        var generator = phase.Targets.Select(t => Invariant($"{t.System} {Number(t.GeneratorCpuMicrosecondsPerRequest, "0.0")}"));
        notes.Add($"Generator's own CPU (µs/req, same cores): {string.Join(", ", generator)}.");
        var lifetime = phase.Targets.Select(t => Invariant($"{t.System} {t.LifetimePeakRssMb:0}"));
        notes.Add($"VmHWM at the end of the phase (MB, start-up included): {string.Join(", ", lifetime)}.");
        if (phase.Store is { } store)
        {
            notes.Add(Invariant($"Store (Garnet INFO MEMORY, {(store.EmbeddedInGateway ? "inside the gateway process" : "its own process")}): index {store.IndexMb:0.0} MB + log {store.LogMb:0.0} MB + read cache {store.ReadCacheMb:0.0} MB = {store.TotalMb:0.0} MB allocated."));
        }

        var loads = phase.Windows.GroupBy(w => w.Round).OrderBy(g => g.Key).Select(g => $"round {g.Key} {g.First().LoadAverageBefore}");
        notes.Add($"Load average before each round: {string.Join("; ", loads)}.");
        foreach (var note in notes)
        {
            text.AppendLine();
            text.AppendLine(note);
        }
    }

    private static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static string Added(double? value, double? baseline) =>
        value is { } v && baseline is { } b ? (v - b).ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture) : "—";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder text, FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
}
