using System.Collections.Frozen;
using Polly;
using Polly.Retry;

namespace LlmGateway.Resilience;

/// <summary>
/// The resolved resilience settings of one catalog model, with its Polly retry pipeline built once.
/// </summary>
internal sealed class ResiliencePolicy
{
    public static readonly int[] DefaultRetryStatuses = [429, 500, 502, 503, 504];

    private ResiliencePolicy(ResilienceSettings model, ResilienceSettings provider, int providerTimeoutSeconds)
    {
        var legacy = TimeSpan.FromSeconds(providerTimeoutSeconds);
        // The provider's connections are shared by its models: the validator refuses a model's own connect timeout.
        ConnectTimeout = Ms(provider.ConnectTimeoutMs) ?? TimeSpan.FromSeconds(10);
        FirstByteTimeout = Ms(model.FirstByteTimeoutMs ?? provider.FirstByteTimeoutMs) ?? legacy;
        IdleTimeout = Ms(model.IdleTimeoutMs ?? provider.IdleTimeoutMs) ?? legacy;
        TotalTimeout = Ms(model.TotalTimeoutMs ?? provider.TotalTimeoutMs) ?? TimeSpan.FromMinutes(10);
        MaxAttempts = model.MaxAttempts ?? provider.MaxAttempts ?? 3;
        RetryStatuses = (model.RetryStatuses ?? provider.RetryStatuses ?? DefaultRetryStatuses).ToFrozenSet();
        BaseDelay = Ms(model.BaseDelayMs ?? provider.BaseDelayMs) ?? TimeSpan.FromMilliseconds(200);
        MaxDelay = Ms(model.MaxDelayMs ?? provider.MaxDelayMs) ?? TimeSpan.FromSeconds(5);
        MaxRetryAfter = TimeSpan.FromSeconds(model.MaxRetryAfterSeconds ?? provider.MaxRetryAfterSeconds ?? 10);
        FailureThreshold = model.FailureThreshold ?? provider.FailureThreshold ?? 5;
        BreakDuration = TimeSpan.FromSeconds(model.BreakSeconds ?? provider.BreakSeconds ?? 30);
        Retry = new ResiliencePipelineBuilder<AttemptResult>()
            .AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                MaxRetryAttempts = Math.Max(1, MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(MaxAttempts > 1 && args.Outcome.Result?.ShouldRetry(MaxRetryAfter) == true),
                // The provider's Retry-After wins over our backoff (it was checked against the cap above).
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            })
            .Build();
    }

    public TimeSpan ConnectTimeout { get; }

    public TimeSpan FirstByteTimeout { get; }

    public TimeSpan IdleTimeout { get; }

    public TimeSpan TotalTimeout { get; }

    public int MaxAttempts { get; }

    public FrozenSet<int> RetryStatuses { get; }

    public TimeSpan BaseDelay { get; }

    public TimeSpan MaxDelay { get; }

    public TimeSpan MaxRetryAfter { get; }

    public int FailureThreshold { get; }

    public TimeSpan BreakDuration { get; }

    /// <summary>Retries of one model's attempts; each attempt is one pass through YARP.</summary>
    public ResiliencePipeline<AttemptResult> Retry { get; }

    public static ResiliencePolicy Resolve(ResilienceSettings? model, ResilienceSettings? provider, int providerTimeoutSeconds) =>
        new(model ?? new ResilienceSettings(), provider ?? new ResilienceSettings(), providerTimeoutSeconds);

    private static TimeSpan? Ms(int? value) => value is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
