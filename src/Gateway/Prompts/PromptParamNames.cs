using LlmGateway.Contracts.Prompts;

namespace LlmGateway.Prompts;

/// <summary>The parameter names a bundle may list in <see cref="PromptParams.ClientOverridable"/>.</summary>
internal static class PromptParamNames
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty", "stop", "seed", "response_format", "tools", "tool_choice",
    };
}
