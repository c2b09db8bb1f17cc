using System.Globalization;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// The performance goals of issue #14, each checked against the phase of the run that measures it (the first such
/// phase: closed-model phases for throughput, CPU and allocation; the open-model chat phase for added p99; the stream
/// phase for time to first token). Every figure is a median over rounds, gateway against bare YARP in the same run.
/// A goal whose phase or systems were not part of the run is reported as not measured, never guessed; one whose phase
/// was stopped by a process of the run ending (or never reached because of it) is not met, with that reason.
/// </summary>
internal static class GoalEvaluator
{
    public const double PlainThroughputRatio = 0.85;
    public const double PromptThroughputRatio = 0.75;
    public const double CpuRatio = 1.3;
    public const double AddedP99Ms = 1;
    public const double GoalRatePerSecond = 1000;
    public const double PlainAllocationBytes = 2 * 1024;
    public const double PromptAllocationBytes = 4 * 1024;

    /// <summary>
    /// The note of an allocation goal whose phase ran but left every window of a system out (see
    /// <see cref="WindowResult.AllocatedBytesPerRequest"/>).
    /// </summary>
    public const string AllocationCounterWentBackwards =
        "the allocation counter went backwards in every window of a system (Server GC with DATAS retiring a heap: dotnet/runtime#131069)";
    public const double PeakRssMb = 150;
    public const double TtftAddedP99Ms = 1;

    public static IReadOnlyList<GoalCheck> Evaluate(IReadOnlyList<PhaseResult> phases) =>
        [.. Checks(phases).Select(check => WithStop(WithFailures(check, phases), phases))];

    /// <summary>
    /// A goal whose phase a process's end stopped (the gateway, its store, bare YARP or the mock died under it) was not
    /// measured as asked, whatever its windows so far read: it is not met, and the note says which process ended, how and when.
    /// </summary>
    private static GoalCheck WithStop(GoalCheck check, IReadOnlyList<PhaseResult> phases)
    {
        if (phases.FirstOrDefault(p => p.Name == check.Phase) is not { StoppedBy: { } reason })
        {
            return check;
        }

        return check with { Verdict = GoalCheck.NotMet, Note = Join(reason, check.Note) };
    }

    /// <summary>
    /// A goal read from a phase in which the gateway or bare YARP failed requests does not stand: failures count in the
    /// throughput, are left out of the latency histograms (a proxy that times out its slowest requests shows a better
    /// p99), and cost less CPU than answers. It reads "not met", and says why.
    /// </summary>
    private static GoalCheck WithFailures(GoalCheck check, IReadOnlyList<PhaseResult> phases)
    {
        if (check.Verdict == GoalCheck.NotMeasured || phases.FirstOrDefault(p => p.Name == check.Phase) is not { } phase)
        {
            return check;
        }

        var gateway = phase.Of(SystemNames.Gateway)?.Failed ?? 0;
        var yarp = phase.Of(SystemNames.YarpBare)?.Failed ?? 0;
        if (gateway + yarp == 0)
        {
            return check;
        }

        var why = string.Create(CultureInfo.InvariantCulture, $"requests failed in this phase (gateway {gateway}, yarp-bare {yarp}): the reading does not stand");
        return check with { Verdict = GoalCheck.NotMet, Note = Join(why, check.Note) };
    }

    private static IReadOnlyList<GoalCheck> Checks(IReadOnlyList<PhaseResult> phases) =>
    [
        Throughput(phases, ScenarioNames.Chat, "Plain chat throughput", PlainThroughputRatio),
        Throughput(phases, ScenarioNames.PromptChat, "Prompt-chat throughput", PromptThroughputRatio),
        Cpu(phases, ScenarioNames.Chat, "CPU per request, plain chat"),
        Cpu(phases, ScenarioNames.PromptChat, "CPU per request, prompt-chat"),
        AddedP99(phases),
        Allocation(phases, ScenarioNames.Chat, "Allocation per request, plain chat", PlainAllocationBytes),
        Allocation(phases, ScenarioNames.PromptChat, "Allocation per request, prompt-chat", PromptAllocationBytes),
        PeakRss(phases),
        TimeToFirstToken(phases),
    ];

    private static GoalCheck Throughput(IReadOnlyList<PhaseResult> phases, string scenario, string goal, double ratio)
    {
        var target = string.Create(CultureInfo.InvariantCulture, $"≥ {ratio:0.00}× bare YARP");
        var phase = phases.FirstOrDefault(p => p.Scenario == scenario && !p.OpenModel);
        if (Pair(phase) is not ({ } gateway, { } yarp))
        {
            return GoalCheck.Missing(goal, target, $"needs a closed-model {scenario} phase with gateway and yarp-bare", Planned(phase));
        }

        if (gateway.ThroughputPerSecond is not { } g || yarp.ThroughputPerSecond is not { } y || y <= 0)
        {
            return GoalCheck.Missing(goal, target, "no request completed", phase!.Name);
        }

        var measured = g / y;
        return new GoalCheck(goal, target, ReqPerSecond(g), ReqPerSecond(y), Ratio(measured), GoalCheck.VerdictOf(measured >= ratio), phase!.Name, RoundRatios(phase));
    }

    private static GoalCheck Cpu(IReadOnlyList<PhaseResult> phases, string scenario, string goal)
    {
        var target = string.Create(CultureInfo.InvariantCulture, $"≤ {CpuRatio:0.0}× bare YARP");
        var phase = Preferred(phases, scenario);
        if (Pair(phase) is not ({ } gateway, { } yarp) || gateway.CpuWithStoreMicrosecondsPerRequest is not { } g || yarp.CpuMicrosecondsPerRequest is not { } y || y <= 0)
        {
            return GoalCheck.Missing(goal, target, $"needs a {scenario} phase with gateway and yarp-bare", Planned(phase));
        }

        var measured = g / y;
        var note = gateway.StorePeakRssMb is not null
            ? string.Create(CultureInfo.InvariantCulture, $"gateway {gateway.CpuMicrosecondsPerRequest:0.0} + its store process {g - gateway.CpuMicrosecondsPerRequest:0.0} µs/req")
            : "store embedded in the gateway process: its CPU is included";
        return new GoalCheck(goal, target, Micros(g), Micros(y), Ratio(measured), GoalCheck.VerdictOf(measured <= CpuRatio), phase!.Name, note);
    }

    private static GoalCheck AddedP99(IReadOnlyList<PhaseResult> phases)
    {
        const string goal = "Added p99 latency over bare YARP, plain chat, open model";
        var target = string.Create(CultureInfo.InvariantCulture, $"≤ {AddedP99Ms:0} ms at {GoalRatePerSecond:N0} req/s");
        var candidates = phases.Where(p => p.Scenario == ScenarioNames.Chat && p.OpenModel).ToList();
        var phase = candidates.FirstOrDefault(p => p.RatePerSecond == GoalRatePerSecond) ?? candidates.FirstOrDefault();
        if (Pair(phase) is not ({ } gateway, { } yarp) || gateway.Latency is not { } g || yarp.Latency is not { } y)
        {
            return GoalCheck.Missing(goal, target, "needs an open-model chat phase with gateway and yarp-bare", Planned(phase));
        }

        var added = g.P99Ms - y.P99Ms;
        var rate = phase!.RatePerSecond == GoalRatePerSecond
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"measured at {phase.RatePerSecond:N0} req/s, not the goal's {GoalRatePerSecond:N0}");
        var note = Join(rate, Dropped(gateway, yarp));
        return new GoalCheck(goal, target, Ms(g.P99Ms), Ms(y.P99Ms), AddedMs(added), GoalCheck.VerdictOf(added <= AddedP99Ms), phase.Name, note);
    }

    private static GoalCheck Allocation(IReadOnlyList<PhaseResult> phases, string scenario, string goal, double allowance)
    {
        var target = string.Create(CultureInfo.InvariantCulture, $"≤ bare YARP + {allowance / 1024:0} KB");
        var phase = Preferred(phases, scenario);
        if (Pair(phase) is not ({ } gateway, { } yarp))
        {
            return GoalCheck.Missing(goal, target, $"needs a {scenario} phase with gateway and yarp-bare", Planned(phase));
        }

        if (gateway.AllocatedBytesPerRequest is not { } g || yarp.AllocatedBytesPerRequest is not { } y)
        {
            return GoalCheck.Missing(goal, target, AllocationCounterWentBackwards, phase!.Name);
        }

        var note = gateway.MetricAllocatedBytesPerRequest is { } fromMetrics
            ? string.Create(CultureInfo.InvariantCulture, $"gateway's /metrics (dotnet_gc_heap_total_allocated_bytes_total) says {Kb(fromMetrics)}")
            : "the gateway's /metrics had no dotnet_gc_heap_total_allocated_bytes_total";
        return new GoalCheck(goal, target, Kb(g), Kb(y), SignedKb(g - y), GoalCheck.VerdictOf(g - y <= allowance), phase!.Name, note);
    }

    private static GoalCheck PeakRss(IReadOnlyList<PhaseResult> phases)
    {
        const string goal = "Peak RSS under prompt-chat load, with the store";
        var target = string.Create(CultureInfo.InvariantCulture, $"≤ {PeakRssMb:0} MB");
        var phase = phases.FirstOrDefault(p => p.Scenario == ScenarioNames.PromptChat);
        if (phase?.Of(SystemNames.Gateway) is not { PeakRssWithStoreMb: { } rss } gateway)
        {
            return GoalCheck.Missing(goal, target, "needs a prompt-chat phase with the gateway", Planned(phase, yarp: false));
        }

        var yarp = phase.Of(SystemNames.YarpBare)?.PeakRssMb;
        return new GoalCheck(goal, target, Mb(rss), yarp is { } y ? Mb(y) : null, Mb(rss), GoalCheck.VerdictOf(rss <= PeakRssMb), phase.Name, StoreShare(phase, gateway));
    }

    private static GoalCheck TimeToFirstToken(IReadOnlyList<PhaseResult> phases)
    {
        const string goal = "Stream time to first token, added p99 over bare YARP";
        var target = string.Create(CultureInfo.InvariantCulture, $"≤ {TtftAddedP99Ms:0} ms");
        var phase = phases.FirstOrDefault(p => p.Scenario == ScenarioNames.Stream);
        if (Pair(phase) is not ({ } gateway, { } yarp) || gateway.TimeToFirstToken is not { } g || yarp.TimeToFirstToken is not { } y)
        {
            return GoalCheck.Missing(goal, target, "needs a stream phase with gateway and yarp-bare", Planned(phase));
        }

        var added = g.P99Ms - y.P99Ms;
        var note = Join(phase!.OpenModel ? null : "closed model: TTFT without coordinated-omission correction", Dropped(gateway, yarp));
        return new GoalCheck(goal, target, Ms(g.P99Ms), Ms(y.P99Ms), AddedMs(added), GoalCheck.VerdictOf(added <= TtftAddedP99Ms), phase.Name, note);
    }

    /// <summary>Closed-model phases first: saturated, they carry the most requests per window.</summary>
    private static PhaseResult? Preferred(IReadOnlyList<PhaseResult> phases, string scenario) =>
        phases.Where(p => p.Scenario == scenario).OrderBy(p => p.OpenModel).FirstOrDefault();

    /// <summary>
    /// The phase's name when it was to measure the gateway (and bare YARP): it has them, with or without windows. A goal it
    /// could not read is then that phase's to answer for, e.g. when a process ended under it.
    /// </summary>
    private static string? Planned(PhaseResult? phase, bool yarp = true) =>
        phase?.Of(SystemNames.Gateway) is not null && (!yarp || phase.Of(SystemNames.YarpBare) is not null) ? phase.Name : null;

    private static (TargetSummary Gateway, TargetSummary Yarp)? Pair(PhaseResult? phase) =>
        phase?.Of(SystemNames.Gateway) is { Windows: > 0 } gateway && phase.Of(SystemNames.YarpBare) is { Windows: > 0 } yarp ? (gateway, yarp) : null;

    private static string? RoundRatios(PhaseResult phase)
    {
        var ratios = phase.Windows.Where(w => w.System == SystemNames.Gateway)
            .Join(phase.Windows.Where(w => w.System == SystemNames.YarpBare), g => g.Round, y => y.Round, (g, y) => y.Report.ThroughputPerSecond > 0 ? g.Report.ThroughputPerSecond / y.Report.ThroughputPerSecond : 0)
            .ToList();
        return ratios.Count > 1 ? $"per round {string.Join(", ", ratios.Select(Ratio))}" : null;
    }

    private static string? Dropped(TargetSummary gateway, TargetSummary yarp) =>
        gateway.Dropped + yarp.Dropped > 0 ? $"requests dropped at the in-flight cap (gateway {gateway.Dropped}, yarp-bare {yarp.Dropped}): the p99 is optimistic" : null;

    private static string? Join(params string?[] parts) =>
        parts.Any(p => !string.IsNullOrEmpty(p)) ? string.Join("; ", parts.Where(p => !string.IsNullOrEmpty(p))) : null;

    private static string StoreShare(PhaseResult phase, TargetSummary gateway)
    {
        var split = gateway.StorePeakRssMb is { } storeRss
            ? string.Create(CultureInfo.InvariantCulture, $"gateway {gateway.PeakRssMb:0} MB + store process {storeRss:0} MB (two runtimes: more than one embedded process would hold; each peak counts the files both map){Shared(gateway)}")
            : "store embedded in the gateway process";
        var rest = gateway.StorePeakRssMb is null ? "; its sessions and buffers cannot be split from the gateway's" : string.Empty;
        var share = phase.Store is { } store
            ? string.Create(CultureInfo.InvariantCulture, $"; Garnet's own accounting (INFO MEMORY): index {store.IndexMb:0.0} + log {store.LogMb:0.0} + read cache {store.ReadCacheMb:0.0} = {store.TotalMb:0.0} MB allocated, an upper bound of its resident share{rest}")
            : "; the store's share could not be read (INFO MEMORY did not answer)";
        return split + share;
    }

    private static string Shared(TargetSummary gateway) => gateway.PeakSharedWithStoreMb is { } shared
        ? string.Create(CultureInfo.InvariantCulture, $"; the two read together every second, the files both map counted once: {shared:0} MB at the peak")
        : string.Empty;

    private static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string ReqPerSecond(double value) => value.ToString("N0", CultureInfo.InvariantCulture) + " req/s";

    private static string Micros(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " µs/req";

    private static string Ms(double value) => value.ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    private static string AddedMs(double value) => value.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture) + " ms";

    private static string Kb(double bytes) => (bytes / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " KB";

    private static string SignedKb(double bytes) => (bytes / 1024).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) + " KB";

    private static string Mb(double value) => value.ToString("0", CultureInfo.InvariantCulture) + " MB";
}
