namespace LlmGateway.Resilience;

/// <summary>How one pass through YARP to one destination ended.</summary>
/// <param name="Kind">What it means for the request.</param>
/// <param name="Reason">For telemetry: a status (<c>"503"</c>), <c>connection</c>, <c>timeout</c>, <c>no_destination</c>, …</param>
/// <param name="RetryAfter">The provider's <c>Retry-After</c>, when it sent one.</param>
/// <param name="RetryAfterOutlastsTotal">A retry's wait (the <c>Retry-After</c>, or the backoff) and a moment to answer end after the request's total timeout: not retried, the answer stands.</param>
internal sealed record AttemptResult(AttemptKind Kind, string Reason, TimeSpan? RetryAfter = null, bool RetryAfterOutlastsTotal = false)
{
    public static readonly AttemptResult Success = new(AttemptKind.Done, "ok");

    /// <summary>
    /// Retry only what is retryable, and never wait for a provider's Retry-After longer than the cap or than what is
    /// left of the total timeout (the wait would end in a 504 instead of the provider's answer).
    /// </summary>
    public bool ShouldRetry(TimeSpan maxRetryAfter) =>
        Kind == AttemptKind.Retryable && !RetryAfterOutlastsTotal && (RetryAfter is null || RetryAfter <= maxRetryAfter);
}
