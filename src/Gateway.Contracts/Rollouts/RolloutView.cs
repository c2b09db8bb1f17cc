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

    /// <summary>When the step's clock started (its minimum and maximum duration count from here): the step's start, or its latest resume.</summary>
    [JsonPropertyName("step_started_at")]
    public DateTimeOffset StepStartedAt { get; init; }

    /// <summary>
    /// Where the step's readings start, when earlier than <see cref="StepStartedAt"/>: a resume restarts the step's
    /// clock but keeps its readings, so the step's confidence sequence carries on instead of starting again at the
    /// full α. Null: from <see cref="StepStartedAt"/> (a step never resumed, or a rollout stored before this field).
    /// </summary>
    [JsonPropertyName("window_started_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? WindowStartedAt { get; init; }

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

    /// <summary>
    /// The rates the arms are sampled at while it runs (the plan's, resolved); null for a rollout started before this
    /// field, whose arms keep their usual rates.
    /// </summary>
    [JsonPropertyName("sampling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RolloutSampling? Sampling { get; init; }

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
