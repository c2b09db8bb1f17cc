using System.Threading.Channels;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// The hot path's side of sampling: a channel bounded twice, by count
/// (<see cref="SamplingOptions.ChannelCapacity"/>) and by bytes (<see cref="SamplingOptions.MaxQueuedBytes"/>,
/// reserved before anything is copied and released once the writer has built the capture). Offering
/// never waits; when the writer falls behind (or the store is down and the channel fills), samples are
/// dropped and counted. Whether a capture is taken never depends on its own size (see <see cref="TryReserve"/>).
/// </summary>
/// <remarks>
/// With <see cref="BoundedChannelFullMode.DropWrite"/>, <c>TryWrite</c> returns true for an item it
/// dropped; only the channel's <c>itemDropped</c> callback sees the drop, so that is where it is counted.
/// </remarks>
internal sealed class SampleRecorder
{
    private readonly Channel<SampleCapture> _channel;
    private readonly GatewayMetrics _metrics;
    private readonly long _maxQueuedBytes;
    private readonly long _largestCapture;

    // The capture the channel's callback dropped, seen by the Offer whose TryWrite ran it (on the same thread).
    [ThreadStatic]
    private static SampleCapture? t_droppedNow;

    private long _dropped;
    private long _queuedBytes;
    private long _peakQueuedBytes;

    public SampleRecorder(IOptions<SamplingOptions> options, GatewayMetrics metrics)
    {
        _metrics = metrics;
        _maxQueuedBytes = options.Value.MaxQueuedBytes;
        _largestCapture = SampleCapture.Largest(options.Value);
        _channel = Channel.CreateBounded<SampleCapture>(
            new BoundedChannelOptions(options.Value.ChannelCapacity)
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
            },
            DroppedByChannel);
    }

    public ChannelReader<SampleCapture> Reader => _channel.Reader;

    /// <summary>Samples dropped by this instance since it started, whatever the cause.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Bytes of the captures queued or being built now; never more than <see cref="SamplingOptions.MaxQueuedBytes"/>.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>The most <see cref="QueuedBytes"/> has been since the instance started.</summary>
    public long PeakQueuedBytes => Interlocked.Read(ref _peakQueuedBytes);

    /// <summary>
    /// Reserves <paramref name="bytes"/> for a capture about to be made. False (and the sample counted as
    /// dropped) when the queue has no room left for the largest capture the caps allow, whatever this one's size: the
    /// caller copies nothing. Judged by its own size, a long answer was refused where a short one still fitted, so an
    /// arm answering longer lost more samples and its readings leaned to its short (often failed) answers.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        var queued = Interlocked.Read(ref _queuedBytes);
        while (true)
        {
            var wanted = queued + bytes;
            // Room for the largest capture bounds this one too (and any larger, which the caps do not make).
            if (queued + Math.Max(bytes, _largestCapture) > _maxQueuedBytes)
            {
                Dropped(SampleDropCauses.QueueBytes, 1);
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _queuedBytes, wanted, queued);
            if (seen == queued)
            {
                RaisePeak(wanted);
                return true;
            }

            queued = seen;
        }
    }

    /// <summary>
    /// Queues a capture whose <see cref="SampleCapture.QueuedBytes"/> were reserved with <see cref="TryReserve"/>;
    /// false when it was dropped (a full channel drops the capture being written, and counts it).
    /// </summary>
    public bool Offer(SampleCapture capture)
    {
        t_droppedNow = null;

        // False only once the channel is completed; a full channel drops through DroppedByChannel, synchronously.
        if (!_channel.Writer.TryWrite(capture))
        {
            Release(capture);
            Dropped(SampleDropCauses.QueueFull, 1);
            return false;
        }

        var dropped = ReferenceEquals(t_droppedNow, capture);
        t_droppedNow = null;
        return !dropped;
    }

    /// <summary>Gives back a capture's bytes: the writer has built it (or failed to).</summary>
    public void Release(SampleCapture capture) => Interlocked.Add(ref _queuedBytes, -capture.QueuedBytes);

    public void Dropped(string cause, int count)
    {
        Interlocked.Add(ref _dropped, count);
        _metrics.SamplesDropped.Add(count, new KeyValuePair<string, object?>("cause", cause));
    }

    private void DroppedByChannel(SampleCapture capture)
    {
        t_droppedNow = capture;
        Release(capture);
        Dropped(SampleDropCauses.QueueFull, 1);
    }

    private void RaisePeak(long queued)
    {
        var peak = Interlocked.Read(ref _peakQueuedBytes);
        while (queued > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakQueuedBytes, queued, peak);
            if (seen == peak)
            {
                return;
            }

            peak = seen;
        }
    }
}
