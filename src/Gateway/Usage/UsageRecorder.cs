using System.Threading.Channels;

namespace LlmGateway.Usage;

/// <summary>
/// The hot path's side of usage counting: a bounded channel. Recording never waits; when the
/// writer falls behind, samples are dropped and counted, not queued without end.
/// </summary>
internal sealed class UsageRecorder(Telemetry.GatewayMetrics metrics)
{
    private readonly Channel<UsageSample> _channel = Channel.CreateBounded<UsageSample>(
        new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private long _dropped;

    public ChannelReader<UsageSample> Reader => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Counts one finished exchange under its prompt, version, arm, served model and key.</summary>
    public void Record(Pipeline.ExchangeResult result)
    {
        var exchange = result.Exchange;
        var record = result.Record;
        Record(new UsageSample(
            new UsageDimensionKey(exchange.Prompt?.Bundle.Name ?? "-", exchange.Prompt?.Bundle.Version ?? 0, exchange.Prompt?.Variant ?? "-", result.ServedModel.Name, exchange.Key.Id),
            result.RequestedAt.ToUnixTimeSeconds() / 60,
            result.Failed,
            record?.InputTokens ?? 0,
            record?.CachedInputTokens ?? 0,
            record?.OutputTokens ?? 0,
            record?.ReasoningTokens ?? 0,
            record?.CostUsd is { } cost ? (long)(cost * 1_000_000_000m) : null,
            result.Duration.TotalMilliseconds));
    }

    public void Record(in UsageSample sample)
    {
        if (!_channel.Writer.TryWrite(sample))
        {
            Interlocked.Increment(ref _dropped);
            metrics.UsageSamplesDropped.Add(1);
        }
    }
}
