namespace LlmGateway.Usage;

/// <summary>The counters of one dimensions × time bucket, summed in memory over a batch.</summary>
internal sealed class UsageTotals
{
    private readonly long[] _latency = new long[UsageMetrics.LatencyBucketNames.Length];
    private long _requests;
    private long _errors;
    private long _input;
    private long _cached;
    private long _output;
    private long _reasoning;
    private long _costNanoUsd;
    private long _unpriced;

    public void Add(in UsageSample sample)
    {
        _requests++;
        _errors += sample.Error ? 1 : 0;
        _input += sample.InputTokens;
        _cached += sample.CachedInputTokens;
        _output += sample.OutputTokens;
        _reasoning += sample.ReasoningTokens;
        if (sample.CostNanoUsd is { } cost)
        {
            _costNanoUsd += cost;
        }
        else
        {
            _unpriced++;
        }

        if (sample.LatencyMs is { } latency)
        {
            _latency[UsageMetrics.LatencyBucketIndex(latency)]++;
        }
    }

    public IEnumerable<(string Metric, long Value)> Fields()
    {
        yield return (UsageMetrics.Requests, _requests);
        yield return (UsageMetrics.Errors, _errors);
        yield return (UsageMetrics.InputTokens, _input);
        yield return (UsageMetrics.CachedInputTokens, _cached);
        yield return (UsageMetrics.OutputTokens, _output);
        yield return (UsageMetrics.ReasoningTokens, _reasoning);
        yield return (UsageMetrics.CostNanoUsd, _costNanoUsd);
        yield return (UsageMetrics.Unpriced, _unpriced);
        for (var i = 0; i < _latency.Length; i++)
        {
            yield return (UsageMetrics.LatencyBucketNames[i], _latency[i]);
        }
    }
}
