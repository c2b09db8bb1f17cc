namespace LlmGateway.MockProvider.Streaming;

/// <summary>
/// How one endpoint frames a streamed reply: what comes before the content, each content piece, and
/// what ends the stream. <see cref="StreamedReplyWriter"/> drives it and applies the stream knobs.
/// </summary>
internal interface IReplyStreamFormat
{
    Task OpenAsync(SseEventWriter events, CancellationToken cancellationToken);

    Task ContentAsync(SseEventWriter events, string piece, CancellationToken cancellationToken);

    /// <summary>Everything after the last content piece: finish, usage, the end of the stream.</summary>
    Task CloseAsync(SseEventWriter events, CancellationToken cancellationToken);
}
