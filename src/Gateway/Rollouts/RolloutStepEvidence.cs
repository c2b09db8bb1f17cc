using System.Text.Json.Serialization;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts;

/// <summary>What a rollout's release change records as evidence: where the rollout was, who decided, and on what.</summary>
internal sealed record RolloutStepEvidence(
    [property: JsonPropertyName("candidate")] int Candidate,
    [property: JsonPropertyName("baseline")] int Baseline,
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("decided_by")] string DecidedBy,
    [property: JsonPropertyName("evaluation")] RolloutEvaluation? Evaluation);
