namespace LlmGateway.MockProvider.Contracts;

internal sealed record ChatCompletion(
    string Id,
    string Object,
    long Created,
    string Model,
    IReadOnlyList<ChatCompletionChoice> Choices,
    TokenUsage Usage);
