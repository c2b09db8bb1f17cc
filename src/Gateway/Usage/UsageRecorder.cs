using System.Threading.Channels;
using LlmGateway.Accounting;

namespace LlmGateway.Usage;

/// <summary>
/// The hot path's side of usage counting: a bounded channel. Recording never waits; when the
/// writer falls behind, samples are dropped and counted, not queued without end.
/// </summary>
/// <remarks>
/// With <see cref="BoundedChannelFullMode.DropWrite"/>, <c>TryWrite</c> returns true for an item it
/// dropped; only the channel's <c>itemDropped</c> callback sees the drop, so that is where it is counted.
/// </remarks>
internal sealed class UsageRecorder
{
    /// <summary>Usage samples waiting for the writer; beyond it new ones are dropped and counted.</summary>
    public const int Capacity = 50_000;

    private readonly Channel<UsageSample> _channel;
    private readonly Telemetry.GatewayMetrics _metrics;

    private long _dropped;

    public UsageRecorder(Telemetry.GatewayMetrics metrics)
    {
        _metrics = metrics;
        _channel = Channel.CreateBounded<UsageSample>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => CountDrop());
    }

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
            // Only a billed request without a price is unpriced: one with nothing to bill (a provider's error passed
            // through, the gateway's own 502) cost nothing.
            record is null ? 0 : record.CostUsd is { } cost ? NanoUsd.From(cost) : null,
            result.Refused ? null : result.Duration.TotalMilliseconds));
    }

    public void Record(in UsageSample sample)
    {
        // False only once the channel is completed; a full channel drops through the itemDropped callback.
        if (!_channel.Writer.TryWrite(sample))
        {
            CountDrop();
        }
    }

    /// <summary>Counts <paramref name="samples"/> whose counts a failed write lost (the store refused or timed out).</summary>
    public void Lost(long samples)
    {
        Interlocked.Add(ref _dropped, samples);
        _metrics.UsageSamplesDropped.Add(samples);
    }

    private void CountDrop()
    {
        Interlocked.Increment(ref _dropped);
        _metrics.UsageSamplesDropped.Add(1);
    }
}
