using OpenTelemetry;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>Delivers one notification through its target's retry pipeline, then counts, logs and remembers the outcome.</summary>
internal sealed class RolloutWebhookDeliverer(RolloutWebhookMetrics metrics, RolloutWebhookState state, TimeProvider time, ILogger<RolloutWebhookDeliverer> logger)
{
    /// <summary>
    /// The outcome is remembered (for <c>/readyz</c>) and logged before it is counted. Throws only <see cref="OperationCanceledException"/>, when <paramref name="stopping"/> is cancelled.
    /// </summary>
    public async Task DeliverAsync(RolloutWebhookTarget target, RolloutWebhookMessage message, CancellationToken stopping)
    {
        var delivery = new Delivery(target, message.Id, message.Body, target.Sign(message.Body));
        string? failure;
#pragma warning disable CA1031 // Whatever one delivery throws, the sender lives on; the failure is counted, logged and shown in /readyz.
        try
        {
            var status = await target.Pipeline.ExecuteAsync(static (d, ct) => d.SendAsync(ct), delivery, stopping);
            failure = status is >= 200 and < 300 ? null : $"HTTP {status}";
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            failure = RolloutWebhookTarget.Describe(exception);
        }
#pragma warning restore CA1031

        await RememberAsync(target.Environment, failure is null ? null : new RolloutWebhookFailure(time.GetUtcNow(), failure, delivery.Attempts, target.Fingerprint));
        if (failure is null)
        {
            RolloutNotificationsLog.Delivered(logger, target.Environment, target.Host, message.Decision, message.Prompt, delivery.Attempts);
            metrics.Record(target.Environment, RolloutWebhookMetrics.Delivered);
        }
        else
        {
            RolloutNotificationsLog.Failed(logger, target.Environment, target.Host, message.Decision, message.Prompt, failure, delivery.Attempts);
            metrics.Record(target.Environment, RolloutWebhookMetrics.Failed);
        }
    }

    // The outcome is for every instance's /readyz; a store that cannot take it leaves the last one there (logged).
    private async Task RememberAsync(string environment, RolloutWebhookFailure? failure)
    {
#pragma warning disable CA1031
        try
        {
            if (failure is null)
            {
                await state.DeliveredAsync(environment, time.GetUtcNow());
            }
            else
            {
                await state.FailedAsync(environment, failure);
            }
        }
        catch (Exception exception)
        {
            RolloutNotificationsLog.StoreFailed(logger, environment, exception.GetType().Name, exception);
        }
#pragma warning restore CA1031
    }

    /// <summary>One notification's attempts, passed to Polly as state.</summary>
    private sealed class Delivery(RolloutWebhookTarget target, string id, byte[] body, string? signature)
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public async ValueTask<int> SendAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            // No client span: its url.full would carry the webhook's path, which is the credential of a Slack-style
            // hook, to the trace backend (logs, errors and /readyz name only the host).
            using var untraced = SuppressInstrumentationScope.Begin();
            using var request = target.Request(id, body, signature);
            using var response = await RolloutWebhookHttp.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return (int)response.StatusCode;
        }
    }
}
