namespace LlmGateway.Sampling.Queue;

internal sealed class WorkQueueOptions
{
    /// <summary>Claims without an ack before an item is dead-lettered instead of redelivered.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long a claim hides an item from other consumers unless extended.</summary>
    public TimeSpan Visibility { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Expired claims moved per claim call. Bounds the work one script does, so a backlog of
    /// crashed consumers' items drains over several claims instead of stalling the store.
    /// </summary>
    public int MaxExpiredPerClaim { get; set; } = 100;

    /// <summary>
    /// Items waiting, at most: an enqueue beyond it gives up the oldest waiting ones (the next to be claimed). Null: no cap.
    /// Without one, a queue nobody consumes (the evaluators down, or never deployed) grows by every item forever.
    /// </summary>
    public long? MaxReady { get; set; }

    /// <summary>
    /// Dead letters kept, at most: beyond it the oldest are dropped (the newest explain a failure best). Null: no cap.
    /// Without one, a consumer that fails every item (its judge down for a day) grows the dead list by every item.
    /// </summary>
    public long? MaxDead { get; set; }
}
