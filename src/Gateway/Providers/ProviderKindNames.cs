namespace LlmGateway.Providers;

/// <summary>The kind names used in configuration files.</summary>
internal static class ProviderKindNames
{
    public const string OpenAI = "openai";
    public const string AzureOpenAI = "azure-openai";
    public const string OpenAICompatible = "openai-compatible";

    public static bool TryParse(string? name, out ProviderKind kind)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case OpenAI:
                kind = ProviderKind.OpenAI;
                return true;
            case AzureOpenAI:
                kind = ProviderKind.AzureOpenAI;
                return true;
            case OpenAICompatible or "vllm" or "ollama" or "lmstudio":
                kind = ProviderKind.OpenAICompatible;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
