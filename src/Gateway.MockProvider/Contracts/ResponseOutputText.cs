namespace LlmGateway.MockProvider.Contracts;

internal sealed record ResponseOutputText(string Type, string Text, IReadOnlyList<string> Annotations);
