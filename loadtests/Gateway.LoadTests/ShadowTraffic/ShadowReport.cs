using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>A whole <c>shadow</c> run, as written to JSON.</summary>
/// <param name="Release">Arm A's release as <c>GET /admin/v1/prompts/{name}/releases/{env}</c> showed it after the rollout started.</param>
/// <param name="Totals">What became of the copies over the whole load (warm-ups and windows), from the gateway's counters.</param>
/// <param name="Usage">The admin usage API's rows for both prompts, by key, version and variant (the copies are the <c>shadow-production</c> key's).</param>
/// <param name="Loss">The processes that ended during the run and stopped it; null when none did.</param>
internal sealed record ShadowReport(
    DateTimeOffset StartedAt,
    string Command,
    MachineInfo Machine,
    ShadowSettings Settings,
    string Release,
    IReadOnlyList<ByteIdentityResult> ByteChecks,
    IReadOnlyList<ShadowWarmup> Warmups,
    IReadOnlyList<ShadowWindow> Windows,
    IReadOnlyList<ShadowArmSummary> Arms,
    ShadowGoal Goal,
    ShadowTotals Totals,
    IReadOnlyList<UsageGroup> Usage,
    ChildLoss? Loss = null);

/// <summary>One arm's warm-up: sent at the measured rate, never measured; <paramref name="Copies"/> by outcome, drained.</summary>
internal sealed record ShadowWarmup(string Arm, double Seconds, long Sent, long Failed, long Dropped, IReadOnlyDictionary<string, long> Copies);

/// <summary>One measured window: one arm, one round; the counters are deltas over the window and its cool-down.</summary>
/// <param name="Position">1 when the arm went first in its round, 2 when second.</param>
/// <param name="GatewayCpuSeconds">User + system CPU of the gateway process (its embedded store and its own shadow calls included).</param>
/// <param name="ShadowAnsweredByWindowEnd">Copies answered by the time the window's last client response was in (before the cool-down).</param>
/// <param name="MockCpuSeconds">The mock provider's CPU in the window (it answers A's copies too).</param>
/// <param name="OtherCpuSeconds">
/// CPU the rest of the machine used in the window (<c>/proc/stat</c> minus the generator, gateway, mock and store): a
/// build or test suite running beside the measurement shows up here.
/// </param>
/// <param name="InterruptCpuSeconds">The machine's irq and softirq time in the window (on loopback, mostly carrying our own packets).</param>
/// <param name="StealSeconds">Time the hypervisor gave the machine's cores to someone else in the window.</param>
/// <param name="ElapsedSeconds">Wall-clock time the CPU figures cover: the window, its cool-down, the drain and the settling.</param>
/// <param name="DrainSeconds">Time waited after the cool-down for the window's copies to stop ending (the queue to drain).</param>
/// <param name="SettleSeconds">Time waited after the drain for the gateway to use less than 0.15 cores (its deferred work for the window done).</param>
/// <param name="Stalls">The window's requests of 50 ms or more, grouped into stalls.</param>
/// <param name="EvaluatorCpuSeconds">The online evaluator's process CPU in the window, when it runs apart (else 0: it is the gateway's).</param>
internal sealed record ShadowWindow(
    int Round,
    string Arm,
    string Prompt,
    int Position,
    string LoadAverageBefore,
    double GatewayCpuSeconds,
    double GeneratorCpuSeconds,
    double MockCpuSeconds,
    double OtherCpuSeconds,
    double InterruptCpuSeconds,
    double StealSeconds,
    double ElapsedSeconds,
    double DrainSeconds,
    double SettleSeconds,
    ShadowCounters Counters,
    long ShadowAnsweredByWindowEnd,
    Stalls Stalls,
    LoadTestReport Report,
    double EvaluatorCpuSeconds = 0)
{
    /// <summary>Cores the rest of the machine kept busy on average over the window.</summary>
    public double OtherCores => ElapsedSeconds > 0 ? Math.Max(0, OtherCpuSeconds) / ElapsedSeconds : 0;

    /// <summary>Cores' worth of steal time on average over the window.</summary>
    public double StealCores => ElapsedSeconds > 0 ? Math.Max(0, StealSeconds) / ElapsedSeconds : 0;

    public long Requests => Report.Requests.Measured;

    public double? GatewayCpuMicrosecondsPerRequest => Requests > 0 ? GatewayCpuSeconds * 1e6 / Requests : null;

    public double? GeneratorCpuMicrosecondsPerRequest => Requests > 0 ? GeneratorCpuSeconds * 1e6 / Requests : null;

    public double? MockCpuMicrosecondsPerRequest => Requests > 0 ? MockCpuSeconds * 1e6 / Requests : null;

    public double? EvaluatorCpuMicrosecondsPerRequest => Requests > 0 ? EvaluatorCpuSeconds * 1e6 / Requests : null;
}

/// <summary>One arm over every round: medians over the windows (as <c>compare</c>), and the latency pooled over them.</summary>
/// <param name="Latency">Each percentile's median over the windows' percentiles.</param>
/// <param name="PooledLatency">Percentiles of every measured request of the arm together (HdrHistogram, one histogram).</param>
/// <param name="ShadowAnswered">Copies answered during the arm's windows and cool-downs (B's should be 0).</param>
/// <param name="ShadowOther">Copies that ended otherwise (dropped, failed, timeout, over_budget, ended, not_running).</param>
internal sealed record ShadowArmSummary(
    string Arm,
    string Prompt,
    bool Shadowed,
    int Windows,
    long Requests,
    long Succeeded,
    long Failed,
    long Dropped,
    long Interrupted,
    double? ThroughputPerSecond,
    LatencySummary? Latency,
    LatencySummary? PooledLatency,
    LatencySummary? ServiceTime,
    double? GatewayCpuMicrosecondsPerRequest,
    double? GeneratorCpuMicrosecondsPerRequest,
    double? MockCpuMicrosecondsPerRequest,
    long ShadowAnswered,
    long ShadowOther,
    long SamplesTaken,
    long SamplesDropped,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> ResponseTags);

/// <summary>The goal: p99 with a 100% shadow share within <see cref="ShadowSettings.GoalMs"/> of p99 without it.</summary>
/// <param name="DifferenceMs">Median over rounds of A's p99 minus the median of B's: the figure the verdict rests on.</param>
/// <param name="PooledDifferenceMs">The same with every window's requests pooled per arm.</param>
/// <param name="RoundDifferencesMs">A's p99 minus B's in each round (the two windows next to each other).</param>
/// <param name="P999DifferenceMs">The median-over-rounds difference at p99.9 (not part of the goal; a handful of requests per window).</param>
internal sealed record ShadowGoal(
    string Goal,
    string Target,
    double? ShadowedP99Ms,
    double? PlainP99Ms,
    double? DifferenceMs,
    double? PooledDifferenceMs,
    IReadOnlyList<double> RoundDifferencesMs,
    double? P999DifferenceMs,
    string Verdict,
    IReadOnlyList<string> Notes);

/// <summary>Copies over the whole load (both arms' warm-ups and windows), from the gateway's counters and the generator's.</summary>
/// <param name="ShadowedSucceeded">Successful A responses: each should have made one copy.</param>
/// <param name="Calls">gateway_shadow_calls_total by outcome over the same span.</param>
/// <param name="Unaccounted">Successful A requests with no copy in any outcome (e.g. its sample was dropped, so no copy was made).</param>
/// <param name="RunCalls">gateway_shadow_calls_total by outcome since the gateway started (set-up and byte checks included).</param>
internal sealed record ShadowTotals(
    long ShadowedSucceeded,
    long PlainSucceeded,
    IReadOnlyDictionary<string, long> Calls,
    long Unaccounted,
    long SamplesTaken,
    long SamplesDropped,
    IReadOnlyDictionary<string, long> RunCalls)
{
    /// <summary>For a run stopped before its last readings (a process ended): nothing counted.</summary>
    public static ShadowTotals None { get; } = new(0, 0, new Dictionary<string, long>(StringComparer.Ordinal), 0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal));
}

/// <summary>One row of <c>GET /admin/v1/usage?groupBy=key,version,variant&amp;prompt=…</c>.</summary>
internal sealed record UsageGroup(string Prompt, string Key, string Version, string Variant, long Requests, long Errors);
