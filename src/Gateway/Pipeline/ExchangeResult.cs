using LlmGateway.Accounting;
using LlmGateway.Providers;
using LlmGateway.Resilience;
using LlmGateway.Sampling;

namespace LlmGateway.Pipeline;

/// <summary>
/// How one exchange ended, built once when the response is complete and handed to every
/// completion consumer (usage counters, the sample offer, telemetry).
/// </summary>
internal sealed record ExchangeResult
{
    public required LlmExchange Exchange { get; init; }

    /// <summary>The model that served the response (a fallback, when the first could not).</summary>
    public required CatalogModel ServedModel { get; init; }

    /// <summary>Upstream attempts, every model included (0: none was made).</summary>
    public required int Attempts { get; init; }

    /// <summary>The status the client received.</summary>
    public required int Status { get; init; }

    public string? ContentType { get; init; }

    /// <summary>The <c>error.type</c> telemetry reports: a gateway error code, a stream interruption or an HTTP status; null on success.</summary>
    public string? ErrorType { get; init; }

    /// <summary>What was billed; null when nothing was (refused, failed, or a held body never delivered).</summary>
    public AccountingRecord? Record { get; init; }

    /// <summary>The gateway failed the request, the provider's stream broke, or the status is a 5xx.</summary>
    public bool Failed { get; init; }

    public StreamInterruption? Interruption { get; init; }

    /// <summary>The client left (or the request was aborted) before the answer was whole.</summary>
    public bool ClientGone { get; init; }

    /// <summary>The client left after the provider had been silent a while (<see cref="Resilience.ForwardOutcome.ClientLeftAfterSilence"/>).</summary>
    public bool ClientLeftAfterSilence { get; init; }

    /// <summary>
    /// The routing stage refused the request because of the prompt version that was to serve it (nothing was sent
    /// upstream): a failed exchange of that version and arm, with no answer and no time of its own.
    /// </summary>
    public bool Refused { get; init; }

    /// <summary>A sentence for reviewers when the exchange failed (never the provider's text).</summary>
    public string? FailureNote { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public required TimeSpan Duration { get; init; }

    public SamplingDecision Sampling { get; init; }

    /// <summary>The body the final attempt sent upstream (pooled; valid until the request ends).</summary>
    public required Proxy.PooledBuffer ForwardedBody { get; init; }

    /// <summary>The response bytes copied for a sampled exchange; empty otherwise.</summary>
    public byte[] SampledResponse { get; init; } = [];

    public bool SampledResponseTruncated { get; init; }
}
