namespace LlmGateway.MockProvider.Contracts;

/// <param name="Logprobs">Always null: the mock never computes log probabilities, but clients expect the key.</param>
internal sealed record TextCompletionChoice(string Text, int Index, string FinishReason, string? Logprobs);
