using LlmGateway.Pipeline;
using LlmGateway.Streaming;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// The proxy's one entry point for sampling: decide at request start, copy the response while it
/// streams past (sampled requests only), and hand the capture to the writer at the end. The
/// bodies are copied only up to <see cref="SamplingOptions.MaxBodyCaptureBytes"/> each, and only
/// once the recorder has room for them (<see cref="SamplingOptions.MaxQueuedBytes"/>).
/// </summary>
internal sealed class RequestSampler(SamplingPolicy policy, SampleRecorder recorder, IOptions<SamplingOptions> options)
{
    private readonly int _maxCaptureBytes = options.Value.MaxCaptureBytes;
    private readonly int _maxBodyBytes = options.Value.MaxBodyCaptureBytes;

    public SamplingDecision Decide(HttpContext context, LlmExchange exchange) =>
        policy.Decide(context.Request, exchange.Key, exchange.Model, exchange.Prompt);

    public void BeginCapture(ResponseTap tap) => tap.StartSampleCapture(_maxCaptureBytes);

    /// <summary>
    /// Copies what the writer needs (the pooled bodies are returned when the request ends) and offers it; returns the
    /// sample's id, or null when the queue had no room for it (dropped and counted): a shadow copy is then not sent, as
    /// it could never be paired. An id is no promise the sample is stored (the writer may still fail to store it).
    /// </summary>
    public string? Offer(ExchangeResult result)
    {
        var exchange = result.Exchange;
        var client = exchange.ClientBody.WrittenSpan;
        // Kept only when it differs from what the client sent (rewritten, renamed, or a fallback's).
        var hasUpstream = !ReferenceEquals(result.ForwardedBody, exchange.ClientBody);
        var upstream = hasUpstream ? result.ForwardedBody.WrittenSpan : [];
        var clientKept = Math.Min(client.Length, _maxBodyBytes);
        var upstreamKept = Math.Min(upstream.Length, _maxBodyBytes);
        var cost = SampleCapture.Cost(clientKept, upstreamKept, result.SampledResponse.Length);

        // Reserved before copying: a sample the queue has no room for costs no copy (it is counted as dropped).
        if (!recorder.TryReserve(cost))
        {
            return null;
        }

        var prompt = exchange.Prompt;
        var id = SampleIds.New(result.RequestedAt);
        var queued = recorder.Offer(new SampleCapture
        {
            Id = id,
            RequestId = exchange.RequestId,
            Timestamp = result.RequestedAt,
            Reason = result.Sampling.Reason!,
            Environment = exchange.Key.Environment,
            Prompt = prompt?.Bundle.Name,
            Version = prompt?.Bundle.Version,
            Variant = prompt?.Variant,
            PairedWith = prompt?.PairedWith,
            Stickiness = prompt?.Stickiness,
            StickinessSalt = prompt?.Salt,
            Model = result.ServedModel.Name,
            Provider = result.ServedModel.Provider.Name,
            KeyId = exchange.Key.Id,
            Endpoint = exchange.Endpoint,
            ClientBody = client[..clientKept].ToArray(),
            ClientBodyOmitted = client.Length - clientKept,
            UpstreamBody = hasUpstream ? upstream[..upstreamKept].ToArray() : null,
            UpstreamBodyOmitted = upstream.Length - upstreamKept,
            Status = result.Status,
            ContentType = result.ContentType,
            ResponseBody = result.SampledResponse,
            ResponseTruncated = result.SampledResponseTruncated,
            AnswerWhole = !result.Failed && !result.ClientGone,
            // Not a client that left a stall (its own timeout), nor one a failure let go: those are the version's.
            ClientLeftMidAnswer = result.ClientGone && !result.ClientLeftAfterSilence && result.FailureNote is null,
            Usage = result.Record,
            LatencyMs = result.Duration.TotalMilliseconds,
            FailureNote = result.FailureNote,
            Refused = result.Refused,
            QueuedBytes = cost,
        });
        return queued ? id : null;
    }
}
