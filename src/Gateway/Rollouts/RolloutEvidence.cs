using System.Text.Json;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Serialization;

namespace LlmGateway.Rollouts;

/// <summary>The evidence a rollout's release change carries into the activation history: the step and the evaluation that decided it.</summary>
internal static class RolloutEvidence
{
    public static JsonElement For(RolloutView rollout, RolloutEvaluation? evaluation, string decidedBy) =>
        JsonSerializer.SerializeToElement(
            new Dictionary<string, RolloutStepEvidence>(StringComparer.Ordinal)
            {
                ["rollout"] = new(rollout.Candidate, rollout.Baseline, rollout.Step, rollout.Plan.Steps?.Count ?? 0, decidedBy, evaluation),
            },
            GatewayJsonContext.Default.DictionaryStringRolloutStepEvidence);
}
