using LlmGateway.Prompts;

namespace LlmGateway.Releases;

/// <summary>
/// The hook through which the evaluation pipeline decides whether a version may enter a
/// protected environment. Until it exists, a bundle that requires a gate cannot pass one.
/// </summary>
internal interface IReleaseEvalGate
{
    /// <returns>Null when the version may be released; otherwise the reason it may not.</returns>
    ValueTask<string?> CheckAsync(PromptBundle bundle, string environment, CancellationToken cancellationToken);
}
