namespace LlmGateway.EvalRuns;

/// <summary>The run-level verdicts the gateway accepts; only <see cref="Pass"/> opens the release gate.</summary>
internal static class EvalRunVerdicts
{
    public const string Pass = "pass";

    public const string Fail = "fail";

    public const string Inconclusive = "inconclusive";

    /// <summary>The metric verdict that names a regression in refusal messages.</summary>
    public const string Regressed = "regressed";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Pass, Fail, Inconclusive };
}
