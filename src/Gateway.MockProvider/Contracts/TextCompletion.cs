namespace LlmGateway.MockProvider.Contracts;

internal sealed record TextCompletion(
    string Id,
    string Object,
    long Created,
    string Model,
    IReadOnlyList<TextCompletionChoice> Choices,
    TokenUsage Usage);
