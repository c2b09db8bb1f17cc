namespace LlmGateway.Sampling.Capture;

/// <summary>
/// One tool call as the client saw it once every fragment arrived. <see cref="Index"/> is the chat
/// <c>tool_calls[].index</c> (0 for a legacy <c>function_call</c>), or the Responses API <c>output_index</c>.
/// </summary>
internal sealed record ReassembledToolCall(int Index, string? Id, string? Type, string? Name, string Arguments);
