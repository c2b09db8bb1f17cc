using BenchmarkDotNet.Attributes;
using LlmGateway.OpenAi;
using LlmGateway.Streaming;

namespace LlmGateway.Benchmarks.Streaming;

/// <summary>
/// What reading a response costs: <c>OpenAiResponseReader.AppendSse</c> + <c>CompleteSse</c> over a
/// recorded ~60 KB chat stream (see <see cref="ChatStreams"/>), fed in the read sizes the response tap
/// sees, with the accounting observer (<see cref="UsageObserver"/>) and, as when the gateway injected
/// <c>include_usage</c>, the <see cref="UsageChunkFilter"/>; and <c>ReadJson</c> over a ~1 KB
/// non-streamed <c>chat.completion</c>. A reader and its observers are created and disposed per
/// operation, as per response. Divide the stream's bytes by the mean for the throughput.
/// </summary>
[MemoryDiagnoser]
public class OpenAiReaderBenchmarks
{
    private byte[] _stream = [];
    private byte[] _body = [];

    [Params(16 * 1024, 1024)]
    public int ReadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_stream, var text, _, _) = ChatStreams.CreateStream();
        using (var usage = new UsageObserver())
        {
            var filter = new UsageChunkFilter();
            using var reader = new OpenAiResponseReader(usage, filter);
            Feed(reader);

            // Role + content + finish + usage chunks; [DONE] is not a data event. Each is parsed once.
            if (usage.Text.ToString() != text || usage.Model != ChatStreams.Model || usage.FinishReason != "stop" || !reader.SawDone
                || reader.DataEvents != ChatStreams.ContentChunks + 3 || reader.Parses != reader.DataEvents || reader.MalformedEvents != 0
                || filter.Drops.Count != 1
                || usage.Usage is not { InputTokens: ChatStreams.PromptTokens, OutputTokens: ChatStreams.CompletionTokens, CachedInputTokens: ChatStreams.CachedTokens })
            {
                throw new InvalidOperationException($"The stream did not read in {ReadSize}-byte reads: {reader.DataEvents} events, {reader.MalformedEvents} malformed, usage {usage.Usage}.");
            }
        }

        (_body, var content) = ChatStreams.CreateBody();
        using (var usage = new UsageObserver())
        {
            using var reader = new OpenAiResponseReader(usage);
            reader.ReadJson(_body);
            if (usage.Text.ToString() != content || usage.Usage is not { InputTokens: ChatStreams.PromptTokens, ReasoningTokens: 0 })
            {
                throw new InvalidOperationException($"The {_body.Length}-byte body did not read: usage {usage.Usage}.");
            }
        }
    }

    [Benchmark]
    public int ReadStream()
    {
        using var usage = new UsageObserver();
        using var reader = new OpenAiResponseReader(usage);
        Feed(reader);
        return usage.Text.Length;
    }

    [Benchmark]
    public int ReadStreamStrippingUsage()
    {
        using var usage = new UsageObserver();
        using var reader = new OpenAiResponseReader(usage, new UsageChunkFilter());
        Feed(reader);
        return usage.Text.Length;
    }

    [Benchmark]
    public int? ReadBody()
    {
        using var usage = new UsageObserver();
        using var reader = new OpenAiResponseReader(usage);
        reader.ReadJson(_body);
        return usage.Usage?.TotalTokens;
    }

    private void Feed(OpenAiResponseReader reader)
    {
        ReadOnlySpan<byte> rest = _stream;
        while (!rest.IsEmpty)
        {
            var read = Math.Min(ReadSize, rest.Length);
            reader.AppendSse(rest[..read]);
            rest = rest[read..];
        }

        reader.CompleteSse();
    }
}
