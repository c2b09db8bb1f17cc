using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary><c>GET /admin/v1/prompts/{name}/rollouts/{env}</c>: a rollout's plan, where it is, and its latest evidence.</summary>
public sealed record RolloutView
{
    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("environment")]
    public required string Environment { get; init; }

    /// <summary>The version being rolled out.</summary>
    [JsonPropertyName("candidate")]
    public int Candidate { get; init; }

    /// <summary>The stable version it is compared with.</summary>
    [JsonPropertyName("baseline")]
    public int Baseline { get; init; }

    /// <summary><c>running</c>, <c>paused</c>, <c>promoted</c> or <c>aborted</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Why it is paused, aborted or promoted.</summary>
    [JsonPropertyName("status_reason")]
    public string? StatusReason { get; init; }

    /// <summary>Index into the plan's steps.</summary>
    [JsonPropertyName("step")]
    public int Step { get; init; }

    [JsonPropertyName("step_started_at")]
    public DateTimeOffset StepStartedAt { get; init; }

    /// <summary>The canary's current share in percent (0 during a shadow step).</summary>
    [JsonPropertyName("weight")]
    public double Weight { get; init; }

    [JsonPropertyName("started_at")]
    public DateTimeOffset StartedAt { get; init; }

    [JsonPropertyName("started_by")]
    public required string StartedBy { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("plan")]
    public required RolloutPlan Plan { get; init; }

    [JsonPropertyName("last_evaluation")]
    public RolloutEvaluation? LastEvaluation { get; init; }

    /// <summary>Its pauses, oldest first (the latest 20), each with the evaluation it paused on.</summary>
    [JsonPropertyName("pauses")]
    public IReadOnlyList<RolloutPause> Pauses { get; init; } = [];

    [JsonPropertyName("revision")]
    public long Revision { get; init; }

    [JsonPropertyName("updated_at")]
    public DateTimeOffset UpdatedAt { get; init; }
}
