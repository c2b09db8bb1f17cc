using System.Text;
using BenchmarkDotNet.Attributes;
using LlmGateway.Accounting;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Sampling.Redaction;
using Microsoft.Extensions.Options;

namespace LlmGateway.Benchmarks.Sampling;

/// <summary>
/// What the background sample writer spends on one sampled request before storing it:
/// <c>SampleBuilder.Build</c> parses the client's ~4 KB prompt request and the body forwarded for
/// it, clones the input messages and variables, reassembles a 60-chunk streamed answer from the
/// captured SSE bytes, redacts every string, and checks the record against the 64 KB cap (one
/// serialisation). Default options; the capture is built once in setup, as the hot path hands it over.
/// </summary>
[MemoryDiagnoser]
public class SampleBuilderBenchmarks
{
    private SampleBuilder _builder = null!;
    private SampleCapture _capture = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = Options.Create(new SamplingOptions());
        _builder = new SampleBuilder(new SampleRedactors(new MarkerRedactorProvider(), options), options, Options.Create(new LlmGateway.Proxy.ProxyOptions()), BenchmarkServices.Metrics);

        var (client, upstream) = SampleData.PromptRequest(4 * 1024);
        var (events, text) = SampleData.CreateEvents(contentChunks: 60, usageChunk: true);
        var at = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        _capture = new SampleCapture
        {
            Id = SampleIds.New(at),
            RequestId = "req_6f1c2a9e3b7d4e58a0c4d2b19f7e8a63",
            Timestamp = at,
            Reason = SampleReasons.Rate,
            Environment = "production",
            Prompt = Rewriting.PromptBodies.Prompt,
            Version = 3,
            Variant = Variants.Stable,
            Model = SampleData.Model,
            Provider = "openai",
            KeyId = "key_7f3a9c2e41b8",
            Endpoint = "/v1/chat/completions",
            ClientBody = client,
            UpstreamBody = upstream,
            Status = 200,
            ContentType = "text/event-stream; charset=utf-8",
            ResponseBody = [.. events.SelectMany(e => e)],
            Usage = new AccountingRecord(SampleData.Model, SampleData.PromptTokens, 0, SampleData.CompletionTokens, 0, AccountingRecord.Reported, 0.000448m, "stop", 412.5, SampleData.ResponseModel),
            LatencyMs = 2318.4,
        };

        var record = _builder.Build(_capture);
        if (client.Length is < 4096 or > 4400 || record.Response.Text != text || !record.Response.Streamed || !record.Response.Complete
            || record.Response.FinishReason != "stop" || record.Truncated || record.Request?["model"]?.GetValue<string>() != SampleData.Model
            || record.Input.Variables is null || record.Input.Messages is null || record.Redactions.Count != 0)
        {
            throw new InvalidOperationException($"The sample was not built as expected ({client.Length}-byte request, redactions {string.Join(", ", record.Redactions)}).");
        }

        Console.WriteLine($"// Capture: client {client.Length} B, upstream {upstream.Length} B, response {_capture.ResponseBody.Length} B; record {SampleSizeCap.Size(record)} B as JSON.");
    }

    [Benchmark]
    public object Build() => _builder.Build(_capture);
}
