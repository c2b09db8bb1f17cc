using BenchmarkDotNet.Attributes;
using LlmGateway.Streaming;

namespace LlmGateway.Benchmarks.Streaming;

/// <summary>
/// The per-line and per-body work around the scanner: <c>UsageOnlyChunk.Is</c>, which the tap runs
/// on every line when the gateway added <c>include_usage</c> itself (a content chunk must be
/// rejected cheaply, the usage chunk recognised), and <c>SseUsageScanner.ReadBody</c> over a ~1 KB
/// non-streamed <c>chat.completion</c>, with a scanner created and disposed per operation.
/// </summary>
[MemoryDiagnoser]
public class SseScannerLineBenchmarks
{
    private byte[] _contentLine = [];
    private byte[] _usageLine = [];
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var (_, _, usageLine, contentLine) = ChatStreams.CreateStream();
        _contentLine = System.Text.Encoding.UTF8.GetBytes(contentLine);
        _usageLine = System.Text.Encoding.UTF8.GetBytes(usageLine);
        if (UsageOnlyChunk.Is(_contentLine) || !UsageOnlyChunk.Is(_usageLine))
        {
            throw new InvalidOperationException("UsageOnlyChunk.Is misjudged the sample lines.");
        }

        (_body, var content) = ChatStreams.CreateBody();
        using var scanner = new SseUsageScanner();
        scanner.ReadBody(_body);
        if (_body.Length is < 900 or > 1200 || scanner.Text != content || scanner.FinishReason != "stop" || scanner.Model != ChatStreams.Model
            || scanner.MalformedEvents != 0
            || scanner.Usage is not { PromptTokens: ChatStreams.PromptTokens, CompletionTokens: ChatStreams.CompletionTokens, CachedPromptTokens: ChatStreams.CachedTokens, ReasoningTokens: 0 })
        {
            throw new InvalidOperationException($"The {_body.Length}-byte body did not read: usage {scanner.Usage}, {scanner.MalformedEvents} malformed.");
        }
    }

    [Benchmark]
    public bool UsageOnlyContentLine() => UsageOnlyChunk.Is(_contentLine);

    [Benchmark]
    public bool UsageOnlyUsageLine() => UsageOnlyChunk.Is(_usageLine);

    [Benchmark]
    public int? ReadBody()
    {
        using var scanner = new SseUsageScanner();
        scanner.ReadBody(_body);
        return scanner.Usage?.TotalTokens;
    }
}
