using System.Text.Json.Serialization;

namespace LlmGateway.EvalRuns;

/// <summary>A dataset the run used: its id (the file name) and the SHA-256 of its bytes.</summary>
internal sealed record EvalRunDataset(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("sha256")] string? Sha256);
