namespace LlmGateway.Eval.Scoring;

/// <summary>A tool call the model made, as returned by the gateway.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="ArgumentsJson">
/// The arguments exactly as the model produced them. Kept as text because models do emit malformed JSON and a
/// scorer may want to report exactly that.
/// </param>
public sealed record ToolCall(string Name, string ArgumentsJson);
