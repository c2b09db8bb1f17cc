using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Datasets;

/// <summary>A validated eval config (see <see cref="EvalConfigReader"/> for the YAML and its defaults).</summary>
internal sealed record EvalConfig
{
    public const int DefaultRepeats = 1;
    public const int DefaultConcurrency = 4;

    /// <summary>The config file's full path, or null when parsed from memory.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The prompt to evaluate, if the config names one (the CLI may supply it instead).</summary>
    public string? Prompt { get; init; }

    /// <summary>Dataset paths, resolved against the config file's directory.</summary>
    public required IReadOnlyList<string> Datasets { get; init; }

    /// <summary>Assertions applied to every case, before the case's own.</summary>
    public IReadOnlyList<AssertionSpec> DefaultAssertions { get; init; } = [];

    public required IReadOnlyList<MetricDefinition> Metrics { get; init; }

    /// <summary>How many times each case runs per version; repeat r is sent with seed <see cref="Seed"/> + r.</summary>
    public int Repeats { get; init; } = DefaultRepeats;

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
