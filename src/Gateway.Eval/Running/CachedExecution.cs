using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>One line of the execution cache. The prompt, version, seed and input hash are kept for people reading the file.</summary>
internal sealed record CachedExecution(
    string Key,
    string Prompt,
    int Version,
    long Seed,
    string InputHash,
    string Output,
    IReadOnlyList<ToolCall> ToolCalls,
    double? LatencyMs,
    decimal? CostUsd,
    int? OutputTokens,
    string? ServedPrompt,
    int? ServedVersion,
    DateTimeOffset CachedAt);
