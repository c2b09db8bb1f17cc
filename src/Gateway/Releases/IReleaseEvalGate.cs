using LlmGateway.EvalRuns;
using LlmGateway.Prompts;

namespace LlmGateway.Releases;

/// <summary>
/// The hook through which the evaluation pipeline decides whether a version may enter a
/// protected environment. Until it exists, a bundle that requires a gate cannot pass one.
/// </summary>
internal interface IReleaseEvalGate
{
    /// <returns>
    /// The decision: <see cref="EvalGateDecision.Refusal"/> set when the version may not be released; otherwise
    /// admitted, with <see cref="EvalGateDecision.RunId"/> naming the passing run when one was needed.
    /// </returns>
    ValueTask<EvalGateDecision> CheckAsync(PromptBundle bundle, string environment, CancellationToken cancellationToken);
}

/// <summary>
/// What the evaluation gate decided. <paramref name="Refusal"/> is the reason a version may not be released (null:
/// admitted); <paramref name="RunId"/> is the passing run that admitted it (null when the bundle needs no gate) and
/// <paramref name="Calls"/> its call counts, both recorded as evidence on the activation event.
/// </summary>
internal sealed record EvalGateDecision(string? Refusal, string? RunId, EvalRunCalls? Calls = null)
{
    /// <summary>Admitted without a run: the bundle does not require the gate.</summary>
    public static readonly EvalGateDecision NotGated = new(null, null);

    public static EvalGateDecision Refuse(string reason) => new(reason, null);

    public static EvalGateDecision AdmitOn(string runId, EvalRunCalls? calls = null) => new(null, runId, calls);
}
