namespace LlmGateway.Eval.Running;

/// <summary>Retries of transient failures: exponential backoff with jitter, honouring <c>Retry-After</c> up to <see cref="MaxDelay"/>.</summary>
internal sealed record CaseRetryOptions
{
    /// <summary>Retries after the first attempt; 0 disables retrying.</summary>
    public int MaxRetries { get; init; } = 4;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}
