using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Resilience;

/// <summary>
/// Timeouts, retries and circuit breaking, from <c>Gateway:Providers:{name}:Resilience</c> and
/// <c>Gateway:Models:{name}:Resilience</c>. Unset values fall back: model → provider → default.
/// </summary>
internal sealed class ResilienceSettings
{
    /// <summary>Longest time to open a connection to the provider (a provider's setting only: its connections serve all its models).</summary>
    [Range(1, 600_000)]
    public int? ConnectTimeoutMs { get; set; }

    /// <summary>Longest time from sending the request to the first byte of the response.</summary>
    [Range(1, 3_600_000)]
    public int? FirstByteTimeoutMs { get; set; }

    /// <summary>Longest silence between two reads of the response body (a stalled stream).</summary>
    [Range(1, 3_600_000)]
    public int? IdleTimeoutMs { get; set; }

    /// <summary>Longest time for the whole request, every attempt included.</summary>
    [Range(1, 86_400_000)]
    public int? TotalTimeoutMs { get; set; }

    /// <summary>Attempts per model, the first included (1: no retries).</summary>
    [Range(1, 10)]
    public int? MaxAttempts { get; set; }

    /// <summary>Provider statuses that are retried (and count against the circuit breaker).</summary>
    public int[]? RetryStatuses { get; set; }

    /// <summary>First backoff; it doubles each retry, with jitter.</summary>
    [Range(0, 60_000)]
    public int? BaseDelayMs { get; set; }

    [Range(0, 300_000)]
    public int? MaxDelayMs { get; set; }

    /// <summary>The longest <c>Retry-After</c> waited for; a longer one is not retried here (a fallback may serve).</summary>
    [Range(0, 3600)]
    public int? MaxRetryAfterSeconds { get; set; }

    /// <summary>
    /// Consecutive failures that open a circuit: a model's on a destination (its retryable statuses, its timeouts), with
    /// the model's value; a destination's own (connection and response-header errors), with the provider's.
    /// </summary>
    [Range(1, 1000)]
    public int? FailureThreshold { get; set; }

    /// <summary>How long an open circuit stays open when the provider gave no <c>Retry-After</c>.</summary>
    [Range(1, 3600)]
    public int? BreakSeconds { get; set; }
}
