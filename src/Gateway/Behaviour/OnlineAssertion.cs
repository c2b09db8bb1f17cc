using LlmGateway.Eval.Scoring;

namespace LlmGateway.Behaviour;

/// <summary>One of a bundle's online assertions, and the series it feeds.</summary>
internal sealed record OnlineAssertion(string Metric, AssertionSpec Spec)
{
    public bool NeedsJudge => Spec.Type.Trim().EndsWith(OnlineEvalPlan.JudgeType, StringComparison.OrdinalIgnoreCase);
}
