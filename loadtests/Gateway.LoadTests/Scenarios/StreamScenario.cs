using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// Streamed chat completion. Reads the server-sent events line by line as they arrive and notes when each
/// event with non-empty <c>delta.content</c> came in: the first gives time to first token, the rest the
/// inter-chunk gaps. Latency is until <c>data: [DONE]</c>.
/// </summary>
/// <param name="expectedChunks">When set, a stream with another number of content events is a failure (smoke runs).</param>
internal sealed class StreamScenario(ChatRequestFactory requests, int? expectedChunks = null) : ILoadScenario
{
    private const string DataField = "data:";
    private const string DoneMarker = "[DONE]";

    public string Name => "stream";

    public HttpRequestMessage CreateRequest() => requests.Create();

    public async Task<ResponseObservation> ReadResponseAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        var contentChunks = new List<long>();
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            // Stamped before parsing, so the generator's own JSON work is not counted as server time.
            var receivedAt = Stopwatch.GetTimestamp();

            // Blank lines end events; comments (":") and other fields (event:, id:, retry:) carry no tokens.
            if (!line.StartsWith(DataField, StringComparison.Ordinal))
            {
                continue;
            }

            var payload = line.AsSpan(DataField.Length).Trim();
            if (payload.SequenceEqual(DoneMarker))
            {
                var failure = expectedChunks is { } expected && contentChunks.Count != expected ? ErrorKinds.WrongChunkCount : null;
                return new ResponseObservation(contentChunks, failure);
            }

            var chunk = JsonSerializer.Deserialize(payload, LoadTestJsonContext.Default.ChatCompletionChunk);
            if (chunk?.HasContent == true)
            {
                contentChunks.Add(receivedAt);
            }
        }

        // The body ended cleanly but without [DONE]: the client would not know the answer was complete.
        return new ResponseObservation(contentChunks, ErrorKinds.IncompleteStream);
    }
}
