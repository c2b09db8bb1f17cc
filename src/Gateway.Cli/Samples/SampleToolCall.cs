namespace LlmGateway.Cli.Samples;

/// <summary>One tool call of a sampled response, its arguments as the model wrote them (a JSON string).</summary>
internal sealed record SampleToolCall(string? Id, string? Type, string? Name, string? Arguments);
