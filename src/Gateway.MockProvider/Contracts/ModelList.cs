namespace LlmGateway.MockProvider.Contracts;

internal sealed record ModelList(string Object, IReadOnlyList<ModelEntry> Data);
