using System.Text;

namespace LlmGateway.Resilience;

/// <summary>
/// The SSE event that ends a stream the provider cut, stalled or overflowed, or that ran out of time, after it had started, in OpenAI's
/// error shape. It opens with a blank line so a half-written event before it is terminated first.
/// </summary>
internal static class StreamErrorEvent
{
    private static readonly byte[] Cut = Encoding.UTF8.GetBytes(
        "\n\ndata: {\"error\":{\"message\":\"The provider's stream ended before the response was complete. What was generated is billed.\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_stream_cut\"}}\n\n");

    private static readonly byte[] Stalled = Encoding.UTF8.GetBytes(
        "\n\ndata: {\"error\":{\"message\":\"The provider's stream stalled past the gateway's idle timeout. What was generated is billed.\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_stream_stalled\"}}\n\n");

    private static readonly byte[] TimedOut = Encoding.UTF8.GetBytes(
        "\n\ndata: {\"error\":{\"message\":\"The request reached the gateway's total time limit before the stream ended. What was generated is billed.\",\"type\":\"server_error\",\"param\":null,\"code\":\"stream_timeout\"}}\n\n");

    private static readonly byte[] Oversized = Encoding.UTF8.GetBytes(
        "\n\ndata: {\"error\":{\"message\":\"The provider sent a line longer than the gateway's limit, so the stream was ended. What was generated is billed.\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_stream_oversized\"}}\n\n");

    public static ReadOnlyMemory<byte> For(StreamInterruption interruption) => interruption switch
    {
        StreamInterruption.Stalled => Stalled,
        StreamInterruption.TimedOut => TimedOut,
        StreamInterruption.Oversized => Oversized,
        _ => Cut,
    };
}
