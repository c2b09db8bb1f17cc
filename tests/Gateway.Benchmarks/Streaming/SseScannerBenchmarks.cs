using BenchmarkDotNet.Attributes;
using LlmGateway.Streaming;

namespace LlmGateway.Benchmarks.Streaming;

/// <summary>
/// What observing a streamed answer costs: <c>SseUsageScanner.Append</c> over a recorded ~60 KB
/// chat stream (see <see cref="ChatStreams"/>), fed in the read sizes the response tap sees, then
/// <c>Complete()</c>. A scanner is created and disposed per operation, as per response. Divide the
/// stream's bytes by the mean for the throughput.
/// </summary>
[MemoryDiagnoser]
public class SseScannerBenchmarks
{
    private byte[] _stream = [];

    [Params(16 * 1024, 1024)]
    public int ReadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_stream, var text, _, _) = ChatStreams.CreateStream();
        using var scanner = new SseUsageScanner();
        Feed(scanner);

        // Role + content + finish + usage chunks; [DONE] is not counted as a data event.
        if (scanner.Text != text || scanner.Model != ChatStreams.Model || scanner.FinishReason != "stop" || !scanner.SawDone
            || scanner.DataEvents != ChatStreams.ContentChunks + 3 || scanner.MalformedEvents != 0 || scanner.SawError
            || scanner.Usage is not { PromptTokens: ChatStreams.PromptTokens, CompletionTokens: ChatStreams.CompletionTokens, CachedPromptTokens: ChatStreams.CachedTokens })
        {
            throw new InvalidOperationException($"The stream did not scan in {ReadSize}-byte reads: {scanner.DataEvents} events, {scanner.MalformedEvents} malformed, usage {scanner.Usage}.");
        }
    }

    [Benchmark]
    public int AppendStream()
    {
        using var scanner = new SseUsageScanner();
        Feed(scanner);
        return scanner.TextLength;
    }

    private void Feed(SseUsageScanner scanner)
    {
        ReadOnlySpan<byte> rest = _stream;
        while (!rest.IsEmpty)
        {
            var read = Math.Min(ReadSize, rest.Length);
            scanner.Append(rest[..read]);
            rest = rest[read..];
        }

        scanner.Complete();
    }
}
