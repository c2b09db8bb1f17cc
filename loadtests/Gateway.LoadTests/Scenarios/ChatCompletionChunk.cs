namespace LlmGateway.LoadTests.Scenarios;

/// <summary>One <c>chat.completion.chunk</c> SSE event, reduced to what says whether it carries a token.</summary>
internal sealed record ChatCompletionChunk(IReadOnlyList<ChunkChoice>? Choices)
{
    public bool HasContent => Choices?.Any(choice => !string.IsNullOrEmpty(choice.Delta?.Content)) == true;
}
