namespace LlmGateway.LoadTests.Scenarios;

internal sealed record ChunkDelta(string? Content);
