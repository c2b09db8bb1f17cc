namespace LlmGateway.MockProvider.Contracts;

internal sealed record ChatCompletionChoice(int Index, AssistantMessage Message, string FinishReason);
