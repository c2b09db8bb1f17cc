using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Datasets;

/// <summary>A validated eval config (see <see cref="EvalConfigReader"/> for the YAML and its defaults).</summary>
internal sealed record EvalConfig
{
    public const int DefaultRepeats = 1;
    public const int DefaultConcurrency = 4;

    /// <summary>The bounds of <c>repeats</c>, <c>concurrency</c> and <c>max_calls</c>, in the config and on gatewayctl's command line alike.</summary>
    public const int MaxRepeats = 1000;

    /// <inheritdoc cref="MaxRepeats"/>
    public const int MaxConcurrency = 256;

    /// <inheritdoc cref="MaxRepeats"/>
    public const int MaxCallsLimit = 10_000_000;

    /// <summary>The error-rate metric's name; a config may list it to change its tolerance, never to ungate it.</summary>
    public const string ErrorRateMetric = "error-rate";

    /// <summary>
    /// The metric that assertions without a <c>metric</c> tag feed when no metric lists their type (a promptfoo file as
    /// it is): promptfoo's own pass rate, every such assertion of a run passing.
    /// </summary>
    public const string UntaggedMetric = "pass-rate";

    /// <summary>More failed calls than this share, on either side, make a run incomplete: it has no verdict.</summary>
    public const double DefaultMaxErrorRate = 0.02;

    /// <summary>The most <see cref="MaxErrorRate"/> may be: beyond a quarter of calls failing no verdict means anything (the gateway refuses to store more).</summary>
    public const double MaxAllowedErrorRate = 0.25;

    /// <summary>The error rate's default tolerance: one percentage point more failed calls than the baseline.</summary>
    public const double DefaultErrorRateTolerance = 0.01;

    /// <summary>The config file's full path, or null when parsed from memory.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The prompt to evaluate, if the config names one (the CLI may supply it instead).</summary>
    public string? Prompt { get; init; }

    /// <summary>Dataset paths, resolved against the config file's directory.</summary>
    public required IReadOnlyList<string> Datasets { get; init; }

    /// <summary>Assertions applied to every case, before the case's own.</summary>
    public IReadOnlyList<AssertionSpec> DefaultAssertions { get; init; } = [];

    public required IReadOnlyList<MetricDefinition> Metrics { get; init; }

    /// <summary>
    /// The share of calls (per side) that may fail before the run is incomplete; see <see cref="DefaultMaxErrorRate"/>.
    /// </summary>
    public double MaxErrorRate { get; init; } = DefaultMaxErrorRate;

    /// <summary>
    /// The error-rate metric: the config's <c>error-rate</c> entry when it has one, else the default (lower is better,
    /// 1 pp tolerance). Always gated: a candidate that fails more calls must never pass because its failures were
    /// left out of every other metric.
    /// </summary>
    public MetricDefinition ErrorRate =>
        Metrics.FirstOrDefault(m => m.Source == MetricSource.Errors) ?? DefaultErrorRate;

    /// <summary>The error-rate metric a config that does not list one measures (lower is better, 1 pp tolerance).</summary>
    public static MetricDefinition DefaultErrorRate { get; } = new()
    {
        Name = ErrorRateMetric,
        Source = MetricSource.Errors,
        Gate = new MetricGate(MetricDirection.LowerIsBetter, DefaultErrorRateTolerance, ToleranceKind.Absolute),
    };

    /// <summary>Every metric a run measures: the error rate first, then the configured ones.</summary>
    public IReadOnlyList<MetricDefinition> AllMetrics =>
        Metrics.Any(m => m.Source == MetricSource.Errors) ? Metrics : [ErrorRate, .. Metrics];

    /// <summary>How many times each case runs per version; repeat r is sent with seed <see cref="Seed"/> + r.</summary>
    public int Repeats { get; init; } = DefaultRepeats;

    /// <summary>
    /// <c>repeats: auto</c> with this call budget (both versions, failed calls included): rounds of one repeat per
    /// case until every gated metric is decided or the budget is spent. Null: <see cref="Repeats"/> fixed repeats.
    /// </summary>
    public int? AdaptiveMaxCalls { get; init; }

    /// <summary>The most gateway calls in flight at once.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>The base of the per-repeat request seeds and the bootstrap's seed.</summary>
    public long Seed { get; init; }

    public bool Strict { get; init; }

    /// <summary>Where identical calls are cached as JSONL, resolved against the config's directory; null disables the cache.</summary>
    public string? CacheDirectory { get; init; }

    public int Resamples { get; init; } = PairedBootstrap.DefaultResamples;

    public double Confidence { get; init; } = PairedBootstrap.DefaultConfidence;

    /// <summary>The statistics layer's options for this config.</summary>
    public ComparisonOptions ToComparisonOptions() => new()
    {
        Resamples = Resamples,
        Confidence = Confidence,
        Seed = Seed,
        Strict = Strict,
    };

    /// <summary>The request seed of repeat <paramref name="repeat"/> (0-based): different per repeat, equal for both versions so pairs share it.</summary>
    public long SeedForRepeat(int repeat) => unchecked(Seed + repeat);
}
