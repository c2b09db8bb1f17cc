namespace LlmGateway.Sampling.Capture;

/// <summary>
/// The response one client received, rebuilt from the captured bytes of a sampled request.
/// </summary>
/// <param name="Text">The assistant text of choice 0 (or the Responses API output text); null when the body carried none.</param>
/// <param name="ToolCalls">Tool calls merged across chunks, ordered by index.</param>
/// <param name="FinishReason">Choice 0's finish reason; for the Responses API, the incomplete reason or the terminal status.</param>
/// <param name="Model">The model the response says it came from.</param>
/// <param name="Refusal">The refusal text, when the model refused.</param>
/// <param name="Streamed">True when the body was read as server-sent events.</param>
/// <param name="Complete">True when a stream reached <c>[DONE]</c> or <c>response.completed</c>, or a JSON body parsed whole.</param>
/// <param name="Truncated">True when the capture stopped at its cap.</param>
/// <param name="Error">The body's <c>error</c> message, or a note that a JSON body could not be parsed.</param>
internal sealed record ReassembledResponse(
    string? Text,
    IReadOnlyList<ReassembledToolCall> ToolCalls,
    string? FinishReason,
    string? Model,
    string? Refusal,
    bool Streamed,
    bool Complete,
    bool Truncated,
    string? Error);
