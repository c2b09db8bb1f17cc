namespace LlmGateway.MockProvider.Contracts;

/// <summary>OpenAI error body; <see cref="Param"/> names the refused field when the mock knows it (else null, kept on the wire for shape fidelity).</summary>
internal sealed record ErrorDetail(string Message, string Type, string? Param, string? Code);
