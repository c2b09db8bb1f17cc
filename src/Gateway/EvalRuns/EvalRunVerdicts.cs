namespace LlmGateway.EvalRuns;

/// <summary>The run-level verdicts the gateway accepts; only <see cref="Pass"/> opens the release gate.</summary>
internal static class EvalRunVerdicts
{
    public const string Pass = "pass";

    public const string Fail = "fail";

    public const string Inconclusive = "inconclusive";

    /// <summary>Too many calls failed for the comparison to mean anything; never admits a release.</summary>
    public const string Incomplete = "incomplete";

    /// <summary>A run that compares the candidate with a baseline version.</summary>
    public const string ComparisonMode = "comparison";

    /// <summary>A run that judges the candidate alone against absolute thresholds (a prompt's first version).</summary>
    public const string ThresholdsMode = "thresholds";

    /// <summary>The metric verdict that names a regression in refusal messages.</summary>
    public const string Regressed = "regressed";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Pass, Fail, Inconclusive, Incomplete };
}
