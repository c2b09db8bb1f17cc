namespace LlmGateway.Sampling;

/// <summary>Why samples were dropped (the <c>cause</c> tag of <c>gateway.samples.dropped</c>).</summary>
internal static class SampleDropCauses
{
    /// <summary>The writer's channel held <see cref="SamplingOptions.ChannelCapacity"/> samples.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The samples waiting for the writer held <see cref="SamplingOptions.MaxQueuedBytes"/>.</summary>
    public const string QueueBytes = "queue_bytes";

    /// <summary>The store was unreachable or failed the write.</summary>
    public const string StoreUnavailable = "store_unavailable";

    /// <summary>
    /// Stored, but not queued for the evaluators: its queueing kept failing while more than
    /// <see cref="SampleWriter.MaxUnqueued"/> stored samples waited for it, or the queue held
    /// <see cref="SamplingOptions.QueueMaxReady"/> (the oldest went first).
    /// </summary>
    public const string NotQueued = "not_queued";

    /// <summary>The sample could not be built (a bug; logged).</summary>
    public const string BuildFailed = "build_failed";
}
