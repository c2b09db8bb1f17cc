namespace LlmGateway.Proxy;

/// <summary>Top-level request fields the gateway acts on; everything else is <see cref="Other"/> and copied as is.</summary>
internal enum TopLevelField : byte
{
    Other,
    Model,
    Messages,
    PromptVariables,
    Stream,
    StreamOptions,
    User,
    Temperature,
    TopP,
    MaxTokens,
    MaxCompletionTokens,
    PresencePenalty,
    FrequencyPenalty,
    Stop,
    Seed,
    ResponseFormat,
    Tools,
    ToolChoice,
    Background,
    ServiceTier,
}
