namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>Which way a rollout metric gets better; a degradation is a move the other way.</summary>
public enum RolloutDirection
{
    /// <summary>Errors, refusals, cost, latency: an increase is a degradation.</summary>
    LowerIsBetter,

    /// <summary>A judge score, a success rate: a decrease is a degradation.</summary>
    HigherIsBetter,
}
