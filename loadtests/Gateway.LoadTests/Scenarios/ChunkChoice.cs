namespace LlmGateway.LoadTests.Scenarios;

internal sealed record ChunkChoice(ChunkDelta? Delta);
