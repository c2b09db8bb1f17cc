namespace LlmGateway.Providers;

/// <summary>How the gateway addresses and authenticates against a provider.</summary>
internal enum ProviderKind
{
    /// <summary>api.openai.com: <c>Authorization: Bearer</c>, base URL ends in <c>/v1</c>.</summary>
    OpenAI,

    /// <summary>Azure OpenAI deployments: <c>api-key</c> header, <c>/openai/deployments/{model}/…?api-version=</c>.</summary>
    AzureOpenAI,

    /// <summary>Any OpenAI-compatible server (vLLM, Ollama, LM Studio): like OpenAI, key optional.</summary>
    OpenAICompatible,
}
