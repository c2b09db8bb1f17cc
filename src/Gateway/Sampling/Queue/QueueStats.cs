namespace LlmGateway.Sampling.Queue;

/// <summary>Item counts of a queue. Expired claims count as in flight until the next claim moves them.</summary>
internal sealed record QueueStats(long Ready, long InFlight, long Dead);
