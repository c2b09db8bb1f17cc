using System.Net;

namespace LlmGateway.Hosting;

/// <summary>
/// The body of an in-process answer longer than its handler keeps (<see cref="InProcessHandler"/>): reading it fails,
/// so a short answer is never read as a whole one, while its status and headers stay readable.
/// </summary>
internal sealed class OverflowedContent(int maxBytes) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        Task.FromException(new HttpRequestException($"The answer was longer than {maxBytes} bytes."));

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
