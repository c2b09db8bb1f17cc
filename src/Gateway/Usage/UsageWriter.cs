using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Usage;

/// <summary>
/// Drains the recorder in batches (up to a second at a time), adds them up in memory, and writes
/// one HINCRBY per counter into a hash per minute (kept 2 days) and per hour (kept 90 days). Each
/// hash is its own key, so nothing here needs a multi-key command.
/// </summary>
internal sealed class UsageWriter(UsageRecorder recorder, GatewayStore store, ILogger<UsageWriter> logger) : BackgroundService
{
    private static readonly TimeSpan MinuteRetention = TimeSpan.FromDays(2);
    private static readonly TimeSpan HourRetention = TimeSpan.FromDays(90);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = recorder.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                // Gather for up to a second so a busy gateway writes one batch per second, not per request.
                using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                window.CancelAfter(TimeSpan.FromSeconds(1));
                var totals = new Dictionary<(string Key, string Field), long>();
                try
                {
                    while (await reader.WaitToReadAsync(window.Token))
                    {
                        while (reader.TryRead(out var sample))
                        {
                            Add(totals, sample);
                        }
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }

                await WriteAsync(totals);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Add(Dictionary<(string, string), long> totals, in UsageSample sample)
    {
        var hour = sample.Minute / 60 * 60;
        foreach (var key in new[] { store.Keys.UsageMinute(sample.Minute), store.Keys.UsageHour(hour) })
        {
            Increment(totals, key, sample.Dimensions, UsageMetrics.Requests, 1);
            Increment(totals, key, sample.Dimensions, UsageMetrics.Errors, sample.Error ? 1 : 0);
            Increment(totals, key, sample.Dimensions, UsageMetrics.InputTokens, sample.InputTokens);
            Increment(totals, key, sample.Dimensions, UsageMetrics.CachedInputTokens, sample.CachedInputTokens);
            Increment(totals, key, sample.Dimensions, UsageMetrics.OutputTokens, sample.OutputTokens);
            Increment(totals, key, sample.Dimensions, UsageMetrics.ReasoningTokens, sample.ReasoningTokens);
            if (sample.CostNanoUsd is { } cost)
            {
                Increment(totals, key, sample.Dimensions, UsageMetrics.CostNanoUsd, cost);
            }
            else
            {
                Increment(totals, key, sample.Dimensions, UsageMetrics.Unpriced, 1);
            }

            Increment(totals, key, sample.Dimensions, UsageMetrics.LatencyBucket(sample.LatencyMs), 1);
        }
    }

    private static void Increment(Dictionary<(string, string), long> totals, string key, string dimensions, string metric, long value)
    {
        if (value == 0 && metric != UsageMetrics.Requests)
        {
            return;
        }

        var field = (key, dimensions + "|" + metric);
        totals[field] = totals.GetValueOrDefault(field) + value;
    }

    private async Task WriteAsync(Dictionary<(string Key, string Field), long> totals)
    {
        if (totals.Count == 0)
        {
            return;
        }

        try
        {
            var batch = store.Database.CreateBatch();
            var writes = new List<Task>(totals.Count + 8);
            foreach (var ((key, field), value) in totals)
            {
                writes.Add(batch.HashIncrementAsync(key, field, value));
            }

            foreach (var key in totals.Keys.Select(k => k.Key).Distinct())
            {
                writes.Add(batch.KeyExpireAsync(key, key.Contains(":usage:m:", StringComparison.Ordinal) ? MinuteRetention : HourRetention));
            }

            batch.Execute();
            await Task.WhenAll(writes);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Counts for this batch are lost; requests were never affected.
            UsageLog.WriteFailed(logger, totals.Count, ex.GetType().Name);
        }
    }
}
