using LlmGateway.Eval.Scoring;

namespace LlmGateway.Behaviour;

/// <summary>The judge granted to one sample: a registry whose <c>llm-rubric</c> calls the plan's judge model.</summary>
internal interface IJudgeAccess
{
    ScorerRegistry Registry { get; }
}
