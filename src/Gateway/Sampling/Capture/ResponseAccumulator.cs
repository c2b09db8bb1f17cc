using System.Text;
using LlmGateway.OpenAi;

namespace LlmGateway.Sampling.Capture;

/// <summary>
/// Folds what <see cref="OpenAiResponseReader"/> reads into one response: text and refusal (choice 0,
/// or the Responses API's deltas), the Responses API's final output (used only when there were no
/// deltas), tool calls merged by index, finish reason, model, the first error, and whether the
/// stream said it ended.
/// </summary>
internal sealed class ResponseAccumulator : IOpenAiObserver
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _refusal = new();

    // The Responses API repeats its whole output in the final object: kept apart from the deltas
    // so that neither is counted twice.
    private readonly StringBuilder _outputText = new();
    private readonly StringBuilder _outputRefusal = new();
    private readonly List<ToolCallAccumulator> _toolCalls = [];

    private bool _sawText;
    private bool _sawRefusal;
    private bool _sawOutputText;
    private bool _sawOutputRefusal;

    public string? Model { get; private set; }

    public string? FinishReason { get; private set; }

    public string? Error { get; set; }

    /// <summary>True once the stream said it is over, as the gateway reads it (<see cref="OpenAiResponseReader.SawEnd"/>).</summary>
    public bool SawEnd { get; private set; }

    public ReassembledResponse Build(bool streamed, bool complete, bool truncated)
    {
        // Deltas are what a streaming client saw; the final output object stands in when there were none.
        var text = _sawText ? _text.ToString() : _sawOutputText ? _outputText.ToString() : null;
        var refusal = _sawRefusal ? _refusal.ToString() : _sawOutputRefusal ? _outputRefusal.ToString() : null;
        var toolCalls = _toolCalls.Count == 0
            ? []
            : _toolCalls.OrderBy(static c => c.Index).Select(static c => c.ToToolCall()).ToArray();
        return new ReassembledResponse(text, toolCalls, FinishReason, Model, refusal, streamed, complete, truncated, Error);
    }

    public void OnModel(string model) => Model = model;

    public void OnText(ReadOnlySpan<char> text)
    {
        _text.Append(text);
        _sawText = true;
    }

    public void OnRefusal(ReadOnlySpan<char> text)
    {
        _refusal.Append(text);
        _sawRefusal = true;
    }

    public void OnOutputStart()
    {
        _outputText.Clear();
        _outputRefusal.Clear();
        _sawOutputText = false;
        _sawOutputRefusal = false;
    }

    public void OnOutputText(ReadOnlySpan<char> text)
    {
        _outputText.Append(text);
        _sawOutputText = true;
    }

    public void OnOutputRefusal(ReadOnlySpan<char> text)
    {
        _outputRefusal.Append(text);
        _sawOutputRefusal = true;
    }

    /// <summary>
    /// Merges one fragment. Arguments are concatenated; id, type and name keep their first non-empty
    /// value, because some providers repeat them on every fragment. A whole Responses API item
    /// replaces what the fragments said.
    /// </summary>
    public void OnToolCall(in ToolCallFragment fragment)
    {
        var call = ToolCall(fragment.Index);
        if (fragment.IsItem)
        {
            call.Id = fragment.Id.IsEmpty ? call.Id : fragment.Id.ToString();
            // A function_call item names no type (it is a function); a custom_tool_call item's is "custom".
            call.Type = fragment.Type.IsEmpty ? call.Type ?? "function" : fragment.Type.ToString();
            call.Name = fragment.Name.IsEmpty ? call.Name : fragment.Name.ToString();
            if (fragment.HasArguments)
            {
                call.Arguments.Clear().Append(fragment.Arguments);
            }

            return;
        }

        if (!fragment.Id.IsEmpty)
        {
            call.Id ??= fragment.Id.ToString();
        }

        if (!fragment.Type.IsEmpty)
        {
            call.Type ??= fragment.Type.ToString();
        }
        else if (fragment.IsLegacy)
        {
            // A function_call item names no type (it is a function); a custom_tool_call item's is "custom".
            call.Type = fragment.Type.IsEmpty ? call.Type ?? "function" : fragment.Type.ToString();
        }

        if (!fragment.Name.IsEmpty)
        {
            call.Name ??= fragment.Name.ToString();
        }

        call.Arguments.Append(fragment.Arguments);
    }

    public void OnFinishReason(string reason) => FinishReason = reason;

    /// <summary>Keeps the first error: later ones are usually consequences of it.</summary>
    public void OnError(string message) => Error ??= message;

    public void OnEnd() => SawEnd = true;

    private ToolCallAccumulator ToolCall(int index)
    {
        foreach (var call in _toolCalls)
        {
            if (call.Index == index)
            {
                return call;
            }
        }

        var added = new ToolCallAccumulator(index);
        _toolCalls.Add(added);
        return added;
    }
}
