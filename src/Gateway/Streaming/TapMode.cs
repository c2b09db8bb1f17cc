namespace LlmGateway.Streaming;

/// <summary>What the response is, decided from its Content-Type when it first shows itself.</summary>
internal enum TapMode
{
    Undecided,
    Sse,
    Json,
    Other,
}
