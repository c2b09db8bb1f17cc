namespace LlmGateway.MockProvider.Streaming;

internal enum ChunkKind
{
    /// <summary>Chat only: announces the assistant role before any content.</summary>
    Opening,

    Content,

    /// <summary>Empty delta carrying <c>finish_reason: "stop"</c>.</summary>
    Finish,
}
