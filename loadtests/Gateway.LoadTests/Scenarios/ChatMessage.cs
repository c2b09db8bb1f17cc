namespace LlmGateway.LoadTests.Scenarios;

internal sealed record ChatMessage(string Role, string Content);
