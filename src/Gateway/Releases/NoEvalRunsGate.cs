using LlmGateway.Prompts;

namespace LlmGateway.Releases;

/// <summary>
/// The gate before the evaluation pipeline exists: bundles that do not require a gate pass;
/// bundles whose <c>eval.gate_required</c> is true are refused, because no run can be shown.
/// </summary>
internal sealed class NoEvalRunsGate : IReleaseEvalGate
{
    public ValueTask<string?> CheckAsync(PromptBundle bundle, string environment, CancellationToken cancellationToken) =>
        ValueTask.FromResult(bundle.Eval?.GateRequired == true
            ? $"{bundle.Name} v{bundle.Version} requires a passing evaluation run before it can enter '{environment}', and none is recorded."
            : null);
}
