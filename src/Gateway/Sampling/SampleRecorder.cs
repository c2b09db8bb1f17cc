using System.Threading.Channels;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// The hot path's side of sampling: a bounded channel. Offering never waits; when the writer falls
/// behind (or the store is down and the channel fills), samples are dropped and counted.
/// </summary>
internal sealed class SampleRecorder
{
    private readonly Channel<SampleCapture> _channel;
    private readonly GatewayMetrics _metrics;

    public SampleRecorder(IOptions<SamplingOptions> options, GatewayMetrics metrics)
    {
        _metrics = metrics;
        _channel = Channel.CreateBounded<SampleCapture>(new BoundedChannelOptions(options.Value.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    private long _dropped;

    public ChannelReader<SampleCapture> Reader => _channel.Reader;

    /// <summary>Samples dropped by this instance since it started, whatever the cause.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    public void Offer(SampleCapture capture)
    {
        if (!_channel.Writer.TryWrite(capture))
        {
            Dropped(SampleDropCauses.QueueFull, 1);
        }
    }

    public void Dropped(string cause, int count)
    {
        Interlocked.Add(ref _dropped, count);
        _metrics.SamplesDropped.Add(count, new KeyValuePair<string, object?>("cause", cause));
    }
}
