namespace LlmGateway.OpenAi;

/// <summary>
/// A piece of a tool call: a chat <c>tool_calls[]</c> fragment (or the legacy <c>function_call</c>),
/// a Responses API argument or custom tool input delta, or a whole Responses API <c>function_call</c> or
/// <c>custom_tool_call</c> item (typed <c>custom</c>). Empty spans are absent values; the spans are valid only during the callback.
/// </summary>
/// <param name="Index">The chat <c>tool_calls[].index</c> (its position when absent; 0 for <c>function_call</c>), or the <c>output_index</c>.</param>
/// <param name="IsItem">A whole item: its id, name and arguments replace what earlier fragments said.</param>
/// <param name="IsLegacy">The legacy <c>function_call</c>, whose type is always <c>function</c>.</param>
internal readonly ref struct ToolCallFragment(
    int index,
    ReadOnlySpan<char> id,
    ReadOnlySpan<char> type,
    ReadOnlySpan<char> name,
    ReadOnlySpan<char> arguments,
    bool hasArguments,
    bool isItem,
    bool isLegacy)
{
    public int Index { get; } = index;

    public ReadOnlySpan<char> Id { get; } = id;

    public ReadOnlySpan<char> Type { get; } = type;

    public ReadOnlySpan<char> Name { get; } = name;

    public ReadOnlySpan<char> Arguments { get; } = arguments;

    public bool HasArguments { get; } = hasArguments;

    public bool IsItem { get; } = isItem;

    public bool IsLegacy { get; } = isLegacy;
}
