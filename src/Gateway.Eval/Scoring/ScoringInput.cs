using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>What an evaluation case produced, plus the case's context, as seen by a scorer.</summary>
public sealed record ScoringInput
{
    /// <summary>The model's text output.</summary>
    public required string Output { get; init; }

    /// <summary>The tool calls the model made, in order.</summary>
    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];

    /// <summary>End-to-end latency in milliseconds, if measured.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Cost in USD from the gateway's accounting headers, if known.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Output tokens from the gateway's accounting headers, if known.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>The case's vars; assertion values reference them as <c>{{ name }}</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Vars { get; init; }

    /// <summary>The case's expected/reference output, used by reference-based scorers when the assertion has no value.</summary>
    public string? Expected { get; init; }
}
