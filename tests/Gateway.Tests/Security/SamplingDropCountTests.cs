using LlmGateway.Sampling;
using LlmGateway.Telemetry;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;
using LlmGateway.Usage;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: drops are counted. A bounded channel in <c>DropWrite</c> mode returns true from
/// <c>TryWrite</c> for the item it drops, so the recorders count drops in the channel's
/// <c>itemDropped</c> callback; the sample queue is also bounded by bytes, reserved before any copy.
/// </summary>
public sealed class SamplingDropCountTests(TestEnvironment env)
{
    [Fact]
    public void A_full_sample_channel_counts_every_capture_it_drops_and_gives_back_their_bytes()
    {
        var metrics = env.Gateway.GetRequiredService<GatewayMetrics>();
        using var counted = new SamplingCounterTotal(metrics.SamplesDropped);
        var recorder = new SampleRecorder(Options.Create(new SamplingOptions { ChannelCapacity = 2 }), metrics);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(recorder.TryReserve(1000));

            // The caller learns which were dropped (a sample that is not queued gets no shadow copy to pair with it).
            Assert.Equal(i < 2, recorder.Offer(Capture(1000)));
        }

        Assert.Equal(3, recorder.DroppedCount);
        Assert.True(counted.Total >= 3);
        Assert.Equal(2000, recorder.QueuedBytes);
        Assert.Equal(3000, recorder.PeakQueuedBytes);
    }

    [Fact]
    public void Whether_the_sample_queue_takes_a_capture_does_not_depend_on_its_size()
    {
        // Near the cap, a long answer was refused where a short one still fitted: a canary answering longer lost more
        // samples, and its rollout readings (output tokens, cost, latency, errors) leaned to its short answers.
        var metrics = env.Gateway.GetRequiredService<GatewayMetrics>();
        var options = new SamplingOptions { MaxQueuedBytes = 1024 * 1024, MaxBodyCaptureBytes = 50 * 1024, MaxCaptureBytes = 300 * 1024 };
        var recorder = new SampleRecorder(Options.Create(options), metrics);
        var longest = SampleCapture.Cost(options.MaxBodyCaptureBytes, options.MaxBodyCaptureBytes, options.MaxCaptureBytes);
        var shortest = SampleCapture.Cost(200, 0, 100);

        // Room left for the short capture, not for the long one.
        Assert.True(recorder.TryReserve(options.MaxQueuedBytes - (200 * 1024)));
        var longTaken = recorder.TryReserve(longest);
        var shortTaken = recorder.TryReserve(shortest);
        Assert.Equal(longTaken, shortTaken);
        Assert.False(shortTaken);

        // With room for the largest capture, both are taken.
        recorder.Release(Capture(recorder.QueuedBytes));
        Assert.True(recorder.TryReserve(longest));
        Assert.True(recorder.TryReserve(shortest));
        Assert.InRange(recorder.QueuedBytes, 1, options.MaxQueuedBytes);
    }

    [Fact]
    public void The_sample_queue_refuses_a_capture_past_its_byte_cap_until_the_writer_frees_room()
    {
        var metrics = env.Gateway.GetRequiredService<GatewayMetrics>();
        // The largest capture these caps allow (2 × 50 KB + 300 KB + overhead) is just over a third of the cap.
        var options = new SamplingOptions { MaxQueuedBytes = 1024 * 1024, MaxBodyCaptureBytes = 50 * 1024, MaxCaptureBytes = 300 * 1024 };
        var recorder = new SampleRecorder(Options.Create(options), metrics);
        var third = 400 * 1024;

        Assert.True(recorder.TryReserve(third));
        recorder.Offer(Capture(third));
        Assert.True(recorder.TryReserve(third));
        recorder.Offer(Capture(third));
        Assert.False(recorder.TryReserve(third));
        Assert.Equal(1, recorder.DroppedCount);
        Assert.Equal(2 * third, recorder.QueuedBytes);

        // The writer builds one: its bytes come back, and the next capture fits.
        Assert.True(recorder.Reader.TryRead(out var built));
        recorder.Release(built);
        Assert.True(recorder.TryReserve(third));
        Assert.Equal(2 * third, recorder.PeakQueuedBytes);
    }

    [Fact]
    public void A_full_usage_channel_counts_every_sample_it_drops()
    {
        var metrics = env.Gateway.GetRequiredService<GatewayMetrics>();
        using var counted = new SamplingCounterTotal(metrics.UsageSamplesDropped);
        var recorder = new UsageRecorder(metrics);
        var sample = new UsageSample(new UsageDimensionKey("-", 0, "-", "gpt-4o-mini", "key_flood"), 0, false, 1, 0, 1, 0, null, 1);

        for (var i = 0; i < UsageRecorder.Capacity + 7; i++)
        {
            recorder.Record(sample);
        }

        Assert.Equal(7, recorder.Dropped);
        Assert.True(counted.Total >= 7);
    }

    private static SampleCapture Capture(long queuedBytes) => SampleCaptures.Chat(new byte[16], []) with { QueuedBytes = queuedBytes };
}
