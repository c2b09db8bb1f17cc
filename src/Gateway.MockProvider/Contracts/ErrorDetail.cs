namespace LlmGateway.MockProvider.Contracts;

/// <summary>OpenAI error body; <see cref="Param"/> is always null in the mock but stays on the wire for shape fidelity.</summary>
internal sealed record ErrorDetail(string Message, string Type, string? Param, string? Code);
