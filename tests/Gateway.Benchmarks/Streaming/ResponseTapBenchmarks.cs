using BenchmarkDotNet.Attributes;
using LlmGateway.Benchmarks.Sampling;
using LlmGateway.Streaming;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Streaming;

/// <summary>
/// What the response tap costs per streamed answer, and what a sampled request adds: a tap is
/// created per operation (as per response), a 50-event chat stream (role, 46 content chunks of
/// 195-215 bytes, finish, usage-only, <c>[DONE]</c>; 10,028 bytes) is written through it one event per write, as
/// the provider's events arrive, to a client that is <see cref="Stream.Null"/>, and the tap is disposed.
/// <c>WithSampleCapture</c> also calls <c>StartSampleCapture</c> with the default 1 MB cap and takes
/// the copy (<c>TakeSampleBytes</c>) at the end, as <c>RequestSampler</c> does for a sampled request.
/// <c>StripUsageChunk</c> is the gateway having added <c>include_usage</c> itself (each event is held
/// to its blank line and the usage-only event is dropped, judged from the reader's one parse).
/// </summary>
[MemoryDiagnoser]
public class ResponseTapBenchmarks
{
    private const int MaxCaptureBytes = 1024 * 1024;

    private byte[][] _events = [];
    private int _streamBytes;
    private string _text = "";
    private HttpResponse _response = null!;
    private StreamResponseBodyFeature _client = null!;

    [Params(false, true)]
    public bool StripUsageChunk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_events, _text) = SampleData.CreateEvents(contentChunks: 46, usageChunk: true);
        _streamBytes = _events.Sum(e => e.Length);
        var context = new DefaultHttpContext();
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        _response = context.Response;
        _client = new StreamResponseBodyFeature(Stream.Null);

        // Against a recording client: everything reaches it (bar the usage event when stripping),
        // the reader sees the text and usage, and the sample copy is the provider's stream byte for byte.
        using var recorded = new MemoryStream();
        using var tap = new ResponseTap(new StreamResponseBodyFeature(recorded), _response, StripUsageChunk);
        tap.StartSampleCapture(MaxCaptureBytes);
        Write(tap);
        tap.FlushPendingAsync(cut: false, CancellationToken.None).GetAwaiter().GetResult();
        var sample = tap.TakeSampleBytes();
        var expected = _streamBytes - (StripUsageChunk ? _events[^2].Length : 0);
        if (_events.Length != 50 || _events[1..^3].Any(e => e.Length is < 180 or > 220) || _streamBytes is < 9000 or > 11000 || !tap.IsSse || tap.Usage.Text.ToString() != _text
            || tap.Usage.Usage?.InputTokens != SampleData.PromptTokens || recorded.Length != expected
            || sample.Length != _streamBytes || tap.SampleTruncated || !sample.AsSpan().SequenceEqual(_events.SelectMany(e => e).ToArray()))
        {
            throw new InvalidOperationException($"The tap did not pass the stream through: {recorded.Length} of {expected} bytes sent, {sample.Length} of {_streamBytes} copied.");
        }
    }

    [Benchmark(Baseline = true)]
    public int WithoutCapture()
    {
        using var tap = new ResponseTap(_client, _response, StripUsageChunk);
        Write(tap);
        return tap.Usage.Text.Length;
    }

    [Benchmark]
    public int WithSampleCapture()
    {
        using var tap = new ResponseTap(_client, _response, StripUsageChunk);
        tap.StartSampleCapture(MaxCaptureBytes);
        Write(tap);
        return tap.TakeSampleBytes().Length + tap.Usage.Text.Length;
    }

    private void Write(ResponseTap tap)
    {
        foreach (var bytes in _events)
        {
            // The client completes synchronously, so this takes the result as an await would.
            var pending = tap.WriteAsync(bytes);
            if (!pending.IsCompletedSuccessfully)
            {
                pending.AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
