namespace LlmGateway.MockProvider.Contracts;

internal sealed record ModelEntry(string Id, string Object, long Created, string OwnedBy);
