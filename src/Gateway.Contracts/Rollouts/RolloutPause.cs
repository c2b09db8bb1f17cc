using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>
/// One pause of a rollout, the controller's or an operator's, with the evaluation on the rollout when it paused. A pause
/// changes nothing users are served, so it is no activation event: it is kept on the rollout, where later looks do not
/// overwrite it as they do <see cref="RolloutView.LastEvaluation"/>.
/// </summary>
public sealed record RolloutPause
{
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    /// <summary><c>rollout-controller</c>, or the operator's name.</summary>
    [JsonPropertyName("by")]
    public required string By { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Index into the plan's steps.</summary>
    [JsonPropertyName("step")]
    public int Step { get; init; }

    /// <summary>The evidence then (none for a pause that no evaluation decided and none preceded).</summary>
    [JsonPropertyName("evaluation")]
    public RolloutEvaluation? Evaluation { get; init; }
}
