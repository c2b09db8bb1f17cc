namespace LlmGateway.Cli.Behaviour;

/// <summary>
/// What <c>gatewayctl behaviour</c> asks for; null (or no metrics) leaves the gateway's default. <see cref="GroupBy"/>
/// is a comma list of <c>version</c> and <c>variant</c>, where the empty string means all arms together.
/// </summary>
internal sealed record BehaviourQuery(
    string? Environment,
    IReadOnlyList<string> Metrics,
    string? GroupBy,
    DateTimeOffset? From,
    DateTimeOffset? To,
    int? StepSeconds);
