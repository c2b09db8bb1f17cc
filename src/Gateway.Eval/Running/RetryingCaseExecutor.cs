using System.Globalization;
using Polly;
using Polly.Retry;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Retries an executor's transient failures. A call that still fails is returned as an error, never thrown and
/// never dropped: the runner scores it as failing, so flakiness costs the version that suffered it.
/// </summary>
internal sealed class RetryingCaseExecutor : ICaseExecutor
{
    private readonly ICaseExecutor _inner;
    private readonly ResiliencePipeline<CaseExecution> _pipeline;

    public RetryingCaseExecutor(ICaseExecutor inner, CaseRetryOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        _inner = inner;
        if (options.MaxRetries == 0)
        {
            _pipeline = ResiliencePipeline<CaseExecution>.Empty;
            return;
        }

        var builder = new ResiliencePipelineBuilder<CaseExecution>();
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }

        _pipeline = builder.AddRetry(new RetryStrategyOptions<CaseExecution>
        {
            MaxRetryAttempts = options.MaxRetries,
            Delay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Transient: true }),
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Result?.RetryAfter is { } retryAfter ? (TimeSpan?)Min(retryAfter, options.MaxDelay) : null),
        }).Build();
    }

    public async Task<CaseExecution> ExecuteAsync(CaseRequest request, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var result = await _pipeline.ExecuteAsync(
            async token =>
            {
                Interlocked.Increment(ref attempts);
                try
                {
                    return await _inner.ExecuteAsync(request, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // An executor that throws anyway (a bug, a socket error it did not map) costs this case, not the run.
                    return CaseExecution.Failed(
                        $"executor threw {ex.GetType().Name}: {ex.Message}",
                        transient: ex is HttpRequestException or TimeoutException or IOException or OperationCanceledException);
                }
            },
            cancellationToken).ConfigureAwait(false);

        return result.Succeeded || attempts == 1
            ? result with { Attempts = attempts }
            : result with { Attempts = attempts, Error = $"{result.Error} (gave up after {attempts.ToString(CultureInfo.InvariantCulture)} attempts)" };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
