using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>The evaluator queue's counts, as the admin API shows them.</summary>
internal sealed record SampleQueueStatus(
    [property: JsonPropertyName("queue")] string Queue,
    [property: JsonPropertyName("ready")] long Ready,
    [property: JsonPropertyName("in_flight")] long InFlight,
    [property: JsonPropertyName("dead")] long Dead);
