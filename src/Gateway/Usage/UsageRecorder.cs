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

    public void Record(in UsageSample sample)
    {
        if (!_channel.Writer.TryWrite(sample))
        {
            Interlocked.Increment(ref _dropped);
            metrics.UsageSamplesDropped.Add(1);
        }

    }
}
