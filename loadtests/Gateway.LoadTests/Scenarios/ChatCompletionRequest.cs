namespace LlmGateway.LoadTests.Scenarios;

/// <summary>The request body; only the fields a load test varies or needs.</summary>
internal sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, int MaxTokens, bool Stream);
