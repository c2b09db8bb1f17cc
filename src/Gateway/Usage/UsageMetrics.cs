namespace LlmGateway.Usage;

/// <summary>The counters kept per dimensions and time bucket (hash field suffixes).</summary>
internal static class UsageMetrics
{
    public const string Requests = "requests";
    public const string Errors = "errors";
    public const string InputTokens = "input_tokens";
    public const string CachedInputTokens = "cached_input_tokens";
    public const string OutputTokens = "output_tokens";
    public const string ReasoningTokens = "reasoning_tokens";
    public const string CostNanoUsd = "cost_nano_usd";
    public const string Unpriced = "unpriced_requests";

    /// <summary>Upper bounds (ms) of the coarse latency histogram; the last bucket is open.</summary>
    public static readonly int[] LatencyBucketsMs = [100, 250, 500, 1000, 2500, 5000, 10000, 30000];

    /// <summary>The field suffix of each latency bucket, by <see cref="LatencyBucketIndex"/>.</summary>
    public static readonly string[] LatencyBucketNames =
        [.. LatencyBucketsMs.Select(bound => $"latency_le_{bound}ms"), "latency_gt_30000ms"];

    public static string LatencyBucket(double ms) => LatencyBucketNames[LatencyBucketIndex(ms)];

    public static int LatencyBucketIndex(double ms)
    {
        for (var i = 0; i < LatencyBucketsMs.Length; i++)
        {
            if (ms <= LatencyBucketsMs[i])
            {
                return i;
            }
        }

        return LatencyBucketsMs.Length;
    }
}
