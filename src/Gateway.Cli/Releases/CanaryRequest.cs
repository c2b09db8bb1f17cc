namespace LlmGateway.Cli.Releases;

/// <summary>Body of <c>POST …/releases/{env}/canary</c>; <see cref="Weight"/> is in basis points (0–10000).</summary>
internal sealed record CanaryRequest(int Version, int Weight, string? Reason, long? Revision);
