using LlmGateway.Eval.Scoring;

namespace LlmGateway.Behaviour;

/// <summary>One of a bundle's online assertions, and the series it feeds.</summary>
internal sealed record OnlineAssertion(string Metric, AssertionSpec Spec)
{
    public bool NeedsJudge => Spec.Type.Trim().EndsWith(OnlineEvalPlan.JudgeType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the verdict reads the answer's text: every type but the limits (<c>latency</c>, <c>cost</c>,
    /// <c>output-tokens</c>), which read what the hot path measured and stand on a record whose text is cut.
    /// </summary>
    public bool ReadsText { get; } = !OnlineEvalPlan.IsLimit(Spec.Type);
}
