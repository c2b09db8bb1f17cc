using LlmGateway.Accounting;

namespace LlmGateway.Telemetry;

/// <summary>How one LLM call ended, as telemetry reports it.</summary>
/// <param name="ErrorType">The <c>error.type</c>: an HTTP status (<c>"500"</c>) or a forwarder error; null on success.</param>
internal readonly record struct LlmCallOutcome(int Status, string? ErrorType, AccountingRecord? Record, TimeSpan Duration, long RequestBodyBytes, bool Sampled);
