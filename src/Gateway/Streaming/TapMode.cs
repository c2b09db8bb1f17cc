namespace LlmGateway.Streaming;

/// <summary>What the response is, decided from its Content-Type when it first shows itself.</summary>
internal enum TapMode
{
    Undecided,
    Sse,
    Json,

    /// <summary>A JSON body past the cap on what is kept whole: only its last bytes are kept, for its usage.</summary>
    JsonTail,
    Other,
}
