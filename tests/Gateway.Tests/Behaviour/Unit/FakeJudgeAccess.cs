using LlmGateway.Behaviour;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary>A judged sample's access without a gate: the registry whose <c>llm-rubric</c> calls the given judge.</summary>
internal sealed class FakeJudgeAccess(ILlmJudge judge) : IJudgeAccess
{
    public ScorerRegistry Registry { get; } = ScorerRegistry.CreateDefault(judge: judge);
}
