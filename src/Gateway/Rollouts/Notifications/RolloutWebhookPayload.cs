using System.Text.Json.Serialization;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// The JSON posted for one rollout decision. <c>text</c> is one Slack-friendly line (Slack's incoming webhooks read only
/// it); the other fields are for machines. <c>step</c> counts from 1, out of <c>steps</c>.
/// </summary>
internal sealed record RolloutWebhookPayload
{
    /// <summary>This notification's own id, also sent as <c>X-Gateway-Delivery</c>: a receiver that sees it twice (an instance stopped mid-delivery) can tell.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("text")]
    public required string Text { get; init; }

    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("environment")]
    public required string Environment { get; init; }

    [JsonPropertyName("candidate")]
    public int Candidate { get; init; }

    [JsonPropertyName("baseline")]
    public int Baseline { get; init; }

    [JsonPropertyName("decision")]
    public required string Decision { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("step")]
    public int Step { get; init; }

    [JsonPropertyName("steps")]
    public int Steps { get; init; }

    /// <summary>The canary's share in percent.</summary>
    [JsonPropertyName("weight")]
    public double Weight { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("evaluation")]
    public RolloutEvaluation? Evaluation { get; init; }

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }
}
