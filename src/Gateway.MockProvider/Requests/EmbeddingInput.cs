namespace LlmGateway.MockProvider.Requests;

/// <summary>One embedding input: the text the vector is derived from, and its token count when already tokenized.</summary>
internal sealed record EmbeddingInput(string Text, int? KnownTokenCount);
