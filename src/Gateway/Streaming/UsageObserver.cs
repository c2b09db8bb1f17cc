using System.Diagnostics;
using LlmGateway.OpenAi;

namespace LlmGateway.Streaming;

/// <summary>
/// What accounting needs from a response, gathered as the reader tells it: the provider's usage,
/// model and finish reason, when the first generated output reached the client, and the text itself (in a
/// pooled buffer) in case the usage never comes and tokens must be estimated.
/// </summary>
internal sealed class UsageObserver : IOpenAiObserver, IDisposable
{
    private readonly PooledArray<char> _text = new();
    private readonly PooledArray<char> _outputText = new();
    private readonly PooledArray<char> _otherOutput = new();
    private readonly PooledArray<char> _outputOther = new();
    // Tool calls are generated and billed as output too. Per call (its index): the fragments as they streamed, and the
    // latest whole item (a Responses API function_call item repeats what its deltas said), so a call counts once, as
    // the fuller of the two. Made only for a response that has tool calls.
    private Dictionary<int, ToolCallSeen>? _toolCalls;
    // Calls of tools the provider runs, by output index (a stream names each in its item events and its final output).
    private Dictionary<int, string>? _providerToolCalls;
    private bool _sawText;

    public OpenAiUsage? Usage { get; private set; }

    public string? Model { get; private set; }

    public string? FinishReason { get; private set; }

    /// <summary>Whether the tier the provider says served the response is priority; null when it did not say.</summary>
    public bool? ServedPriority { get; private set; }

    /// <summary>
    /// When the first generated output was read (the tap reads it right after sending it on): text, a refusal, a tool
    /// call's fragment, reasoning a provider shows, or other output; not a role or an empty delta.
    /// </summary>
    public long? FirstOutputTimestamp { get; private set; }

    /// <summary>
    /// The generated text, refusals included: the deltas a stream carried, else a Responses API body's whole output.
    /// </summary>
    public ReadOnlySpan<char> Text => _sawText ? _text.WrittenSpan : _outputText.WrittenSpan;

    /// <summary>
    /// Other generated output (an MCP call's arguments, the code interpreter's code, reasoning a provider shows): the deltas' or the whole output's, whichever says more (a stream's final event repeats its deltas).
    /// </summary>
    public ReadOnlySpan<char> OtherOutput => _otherOutput.Length >= _outputOther.Length ? _otherOutput.WrittenSpan : _outputOther.WrittenSpan;

    /// <summary>The tool calls' names and arguments, each call once (the fuller of its fragments and its whole item).</summary>
    public string ToolCallText
    {
        get
        {
            if (_toolCalls is not { Count: > 0 } calls)
            {
                return "";
            }

            var text = new System.Text.StringBuilder();
            foreach (var call in calls.Values)
            {
                text.Append(call.Item is { } item && item.Length >= call.Fragments.Length ? item : call.Fragments.ToString()).Append('\n');
            }

            return text.ToString();
        }
    }

    public void OnModel(string model) => Model = model;

    public void OnServiceTier(bool priority) => ServedPriority = priority;

    public void OnText(ReadOnlySpan<char> text)
    {
        _sawText = true;
        if (!text.IsEmpty)
        {
            FirstOutputTimestamp ??= Stopwatch.GetTimestamp();
            _text.Append(text);
        }
    }

    // Choices other than 0 (n > 1) are generated and billed too: their text joins the estimate's.
    public void OnOtherChoiceText(ReadOnlySpan<char> text)
    {
        _sawText = true;
        if (!text.IsEmpty)
        {
            FirstOutputTimestamp ??= Stopwatch.GetTimestamp();
        }

        _text.Append(text);
    }

    public void OnOtherOutput(ReadOnlySpan<char> text)
    {
        if (!text.IsEmpty)
        {
            FirstOutputTimestamp ??= Stopwatch.GetTimestamp();
        }

        _otherOutput.Append(text);
    }

    public void OnOutputOther(ReadOnlySpan<char> text) => _outputOther.Append(text);

    // A refusal is generated text the client received, billed like any other.
    public void OnRefusal(ReadOnlySpan<char> text) => OnText(text);

    public void OnOutputStart()
    {
        _outputText.Clear();
        _outputOther.Clear();
    }

    public void OnOutputText(ReadOnlySpan<char> text) => _outputText.Append(text);

    public void OnOutputRefusal(ReadOnlySpan<char> text) => _outputText.Append(text);

    public void OnToolCall(in ToolCallFragment fragment)
    {
        FirstOutputTimestamp ??= Stopwatch.GetTimestamp();
        _toolCalls ??= [];
        if (!_toolCalls.TryGetValue(fragment.Index, out var call))
        {
            _toolCalls[fragment.Index] = call = new ToolCallSeen();
        }

        if (fragment.IsItem)
        {
            // A whole item replaces what an earlier item of the same call said.
            call.Item = string.Concat(fragment.Name, " ", fragment.Arguments);
            return;
        }

        if (!fragment.Name.IsEmpty)
        {
            call.Fragments.Append(fragment.Name).Append(' ');
        }

        call.Fragments.Append(fragment.Arguments);
    }

    /// <summary>The tools the provider ran, one entry per call (<c>web_search</c>, …): each call costs a fee.</summary>
    public IReadOnlyCollection<string> ProviderToolCalls => _providerToolCalls is { } calls ? calls.Values : [];

    public void OnProviderToolCall(int outputIndex, ReadOnlySpan<char> itemType)
    {
        if (Accounting.ProviderToolNames.OfCallItem(itemType) is { } tool)
        {
            (_providerToolCalls ??= [])[outputIndex] = tool;
        }
    }

    public void OnFinishReason(string reason) => FinishReason = reason;

    /// <summary>The response carried an error event or object (a stream that failed after its 200, say).</summary>
    public bool SawError { get; private set; }

    public void OnError(string message) => SawError = true;

    public void OnUsage(in OpenAiUsage usage) => Usage = usage;

    /// <summary>
    /// The stream's <c>include_usage</c> chunk (<c>"choices": []</c> with the usage) was read. OpenAI sends it last, after
    /// every choice's finish chunk and before <c>[DONE]</c> alone: the answer is whole, and its usage counts all of it.
    /// </summary>
    public bool SawUsageChunk { get; private set; }

    public void OnEvent(in OpenAiEventInfo info)
    {
        if (info.Is(OpenAiEventFlags.UsageOnly))
        {
            SawUsageChunk = true;
        }
    }

    public void Dispose()
    {
        _text.Dispose();
        _outputText.Dispose();
        _otherOutput.Dispose();
        _outputOther.Dispose();
    }

    /// <summary>Forgets everything it observed, for the next response (its buffers are given back by <see cref="Dispose"/>).</summary>
    public void Restart()
    {
        _text.Clear();
        _outputText.Clear();
        SawError = false;
        _otherOutput.Clear();
        _outputOther.Clear();
        _toolCalls = null;
        _providerToolCalls = null;
        _sawText = false;
        Usage = null;
        SawUsageChunk = false;
        Model = null;
        FinishReason = null;
        ServedPriority = null;
        FirstOutputTimestamp = null;
    }

    private sealed class ToolCallSeen
    {
        public System.Text.StringBuilder Fragments { get; } = new();

        public string? Item { get; set; }
    }
}
