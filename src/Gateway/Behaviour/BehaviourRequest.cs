namespace LlmGateway.Behaviour;

/// <summary>A validated behaviour query: a prompt and environment, metrics (empty: all), grouping, window and step.</summary>
internal sealed record BehaviourRequest(
    string Prompt,
    string Environment,
    IReadOnlySet<string> Metrics,
    bool ByVersion,
    bool ByVariant,
    DateTimeOffset From,
    DateTimeOffset To,
    int StepSeconds);
