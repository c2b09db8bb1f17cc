using LlmGateway.Pipeline;
using LlmGateway.Streaming;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// The proxy's one entry point for sampling: decide at request start, copy the response while it
/// streams past (sampled requests only), and hand the capture to the writer at the end.
/// </summary>
internal sealed class RequestSampler(SamplingPolicy policy, SampleRecorder recorder, IOptions<SamplingOptions> options)
{
    private readonly int _maxCaptureBytes = options.Value.MaxCaptureBytes;

    public SamplingDecision Decide(HttpContext context, LlmExchange exchange) =>
        policy.Decide(exchange.RequestId, context.Request, exchange.Key, exchange.Model, exchange.Prompt);

    public void BeginCapture(ResponseTap tap) => tap.StartSampleCapture(_maxCaptureBytes);

    /// <summary>Copies what the writer needs (the pooled bodies are returned when the request ends) and offers it.</summary>
    public void Offer(ExchangeResult result)
    {
        var exchange = result.Exchange;
        var prompt = exchange.Prompt;
        recorder.Offer(new SampleCapture
        {
            Id = SampleIds.New(result.RequestedAt),
            RequestId = exchange.RequestId,
            Timestamp = result.RequestedAt,
            Reason = result.Sampling.Reason!,
            Environment = exchange.Key.Environment,
            Prompt = prompt?.Bundle.Name,
            Version = prompt?.Bundle.Version,
            Variant = prompt?.Variant,
            Model = result.ServedModel.Name,
            Provider = result.ServedModel.Provider.Name,
            KeyId = exchange.Key.Id,
            Endpoint = exchange.Endpoint,
            ClientBody = exchange.ClientBody.WrittenSpan.ToArray(),
            // Kept only when it differs from what the client sent (rewritten, renamed, or a fallback's).
            UpstreamBody = ReferenceEquals(result.ForwardedBody, exchange.ClientBody) ? null : result.ForwardedBody.WrittenSpan.ToArray(),
            Status = result.Status,
            ContentType = result.ContentType,
            ResponseBody = result.SampledResponse,
            ResponseTruncated = result.SampledResponseTruncated,
            Usage = result.Record,
            LatencyMs = result.Duration.TotalMilliseconds,
            FailureNote = result.FailureNote,
        });
    }
}
