namespace LlmGateway.OpenAi;

/// <summary>
/// What <see cref="OpenAiResponseReader"/> understood of a response, event by event. An event that
/// is not a whole JSON object reaches no observer at all (only <see cref="OnEvent"/>, flagged), so a
/// bad event never leaves half its effects. Spans are valid only during the call. Every method has
/// an empty default: an observer implements what it needs.
/// </summary>
internal interface IOpenAiObserver
{
    /// <summary>The response's <c>model</c>, when it first appears and whenever it changes.</summary>
    void OnModel(string model)
    {
    }

    /// <summary>
    /// Generated text as the client received it: choice 0's <c>delta</c>/<c>message</c> content (chat),
    /// <c>text</c> (legacy completions), <c>response.output_text.delta</c> (Responses API).
    /// </summary>
    void OnText(ReadOnlySpan<char> text)
    {
    }

    /// <summary>
    /// Text or refusal text of a choice other than 0 (a request with <c>n</c> &gt; 1): what an output-token estimate
    /// must count too, though only choice 0 is reassembled.
    /// </summary>
    void OnOtherChoiceText(ReadOnlySpan<char> text)
    {
    }

    /// <summary>
    /// Generated output that is neither the answer's text nor a call the client runs (reasoning a provider shows, an MCP
    /// call's arguments, the code interpreter's code): what an output-token estimate must count too.
    /// </summary>
    void OnOtherOutput(ReadOnlySpan<char> text)
    {
    }

    /// <summary>
    /// The same kind of output, from a Responses API answer's whole <c>output</c>: a stream's final event repeats what its
    /// deltas said, so an estimate counts the fuller of the two, not both.
    /// </summary>
    void OnOutputOther(ReadOnlySpan<char> text)
    {
    }

    /// <summary>Refusal text: choice 0's <c>refusal</c> or refusal parts, <c>response.refusal.delta</c>.</summary>
    void OnRefusal(ReadOnlySpan<char> text)
    {
    }

    /// <summary>A Responses API <c>output</c> array begins: the whole answer follows and replaces any earlier one.</summary>
    void OnOutputStart()
    {
    }

    /// <summary>The text of an <c>output_text</c> part of a message in a Responses API <c>output</c> array.</summary>
    void OnOutputText(ReadOnlySpan<char> text)
    {
    }

    /// <summary>The text of a <c>refusal</c> part of a message in a Responses API <c>output</c> array.</summary>
    void OnOutputRefusal(ReadOnlySpan<char> text)
    {
    }

    void OnToolCall(in ToolCallFragment fragment)
    {
    }

    /// <summary>
    /// A Responses API output item that is a call of a tool the provider runs (<paramref name="itemType"/>, e.g.
    /// <c>web_search_call</c>), at <paramref name="outputIndex"/>: from a stream's item events and again from the final
    /// <c>output</c>, so the same index is the same call.
    /// </summary>
    void OnProviderToolCall(int outputIndex, ReadOnlySpan<char> itemType)
    {
    }

    /// <summary>Choice 0's <c>finish_reason</c>; for the Responses API, the incomplete reason or the terminal status.</summary>
    void OnFinishReason(string reason)
    {
    }

    /// <summary>The response's <c>service_tier</c> (which tier served it): whether that is <c>priority</c>.</summary>
    void OnServiceTier(bool priority)
    {
    }

    /// <summary>A <c>usage</c> object (top level, or in a Responses API event's <c>response</c>).</summary>
    void OnUsage(in OpenAiUsage usage)
    {
    }

    /// <summary>An error's message (or <c>"error"</c> when it has none).</summary>
    void OnError(string message)
    {
    }

    /// <summary>
    /// The stream said it is over, told once: <c>[DONE]</c>, <c>response.completed</c>, <c>response.incomplete</c>, or the
    /// <c>include_usage</c> chunk (which only <c>[DONE]</c> follows).
    /// </summary>
    void OnEnd()
    {
    }

    /// <summary>After each data event (or whole body), whether or not it could be read.</summary>
    void OnEvent(in OpenAiEventInfo info)
    {
    }
}
