using LlmGateway.Accounting;
using LlmGateway.Proxy;
using LlmGateway.Streaming;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// The proxy's one entry point for sampling: decide at request start, copy the response while it
/// streams past (sampled requests only), and hand the capture to the writer at the end.
/// </summary>
internal sealed class RequestSampler(SamplingPolicy policy, SampleRecorder recorder, IOptions<SamplingOptions> options, TimeProvider time)
{
    private readonly int _maxCaptureBytes = options.Value.MaxCaptureBytes;

    public SamplingDecision Decide(HttpContext context, GatewayRequestFeature request) =>
        policy.Decide(request.RequestId, context.Request, request.Key, request.Model, request.Prompt);

    public void BeginCapture(ResponseTap tap) => tap.StartSampleCapture(_maxCaptureBytes);

    /// <summary>Copies what the writer needs (the pooled bodies are returned when the request ends) and offers it.</summary>
    public void Offer(
        HttpContext context,
        GatewayRequestFeature request,
        SamplingDecision decision,
        ReadOnlySpan<byte> clientBody,
        ReadOnlySpan<byte> forwardedBody,
        bool bodyRewritten,
        ResponseTap tap,
        AccountingRecord? record,
        DateTimeOffset requestedAt,
        string? failureNote)
    {
        var prompt = request.Prompt;
        recorder.Offer(new SampleCapture
        {
            Id = SampleIds.New(requestedAt),
            RequestId = request.RequestId,
            Timestamp = requestedAt,
            Reason = decision.Reason!,
            Environment = request.Key.Environment,
            Prompt = prompt?.Bundle.Name,
            Version = prompt?.Bundle.Version,
            Variant = prompt?.Variant,
            Model = request.Model.Name,
            Provider = request.Model.Provider.Name,
            KeyId = request.Key.Id,
            Endpoint = context.Request.Path.Value ?? "",
            ClientBody = clientBody.ToArray(),
            UpstreamBody = bodyRewritten ? forwardedBody.ToArray() : (ReadOnlyMemory<byte>?)null,
            Status = context.Response.StatusCode,
            ContentType = context.Response.ContentType,
            ResponseBody = tap.TakeSampleBytes(),
            ResponseTruncated = tap.SampleTruncated,
            Usage = record,
            LatencyMs = (time.GetUtcNow() - requestedAt).TotalMilliseconds,
            FailureNote = failureNote,
        });
    }
}
