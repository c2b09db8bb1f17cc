using System.Diagnostics;
using LlmGateway.OpenAi;

namespace LlmGateway.Streaming;

/// <summary>
/// What accounting needs from a response, gathered as the reader tells it: the provider's usage,
/// model and finish reason, when the first text reached the client, and the text itself (in a
/// pooled buffer) in case the usage never comes and tokens must be estimated.
/// </summary>
internal sealed class UsageObserver : IOpenAiObserver, IDisposable
{
    private readonly PooledArray<char> _text = new();
    private readonly PooledArray<char> _outputText = new();
    // Tool calls are generated and billed as output too: their fragments as they stream, and whole items (a Responses
    // API function_call item, which repeats what its deltas said), kept apart so a call is not counted twice.
    private readonly PooledArray<char> _toolFragments = new();
    private readonly PooledArray<char> _toolItems = new();
    private bool _sawText;

    public OpenAiUsage? Usage { get; private set; }

    public string? Model { get; private set; }

    public string? FinishReason { get; private set; }

    /// <summary>When the first generated text was read (the tap reads it right after sending it on).</summary>
    public long? FirstTextTimestamp { get; private set; }

    /// <summary>
    /// The generated text, refusals included: the deltas a stream carried, else a Responses API body's whole output.
    /// </summary>
    public ReadOnlySpan<char> Text => _sawText ? _text.WrittenSpan : _outputText.WrittenSpan;

    /// <summary>The tool calls' names and arguments (the fuller of what the fragments and the whole items said).</summary>
    public ReadOnlySpan<char> ToolCallText => _toolItems.Length >= _toolFragments.Length ? _toolItems.WrittenSpan : _toolFragments.WrittenSpan;

    public void OnModel(string model) => Model = model;

    public void OnText(ReadOnlySpan<char> text)
    {
        _sawText = true;
        if (!text.IsEmpty)
        {
            FirstTextTimestamp ??= Stopwatch.GetTimestamp();
            _text.Append(text);
        }
    }

    // Choices other than 0 (n > 1) are generated and billed too: their text joins the estimate's.
    public void OnOtherChoiceText(ReadOnlySpan<char> text)
    {
        _sawText = true;
        _text.Append(text);
    }

    // A refusal is generated text the client received, billed like any other.
    public void OnRefusal(ReadOnlySpan<char> text) => OnText(text);

    public void OnOutputStart()
    {
        _outputText.Clear();
        _toolItems.Clear();
    }

    public void OnOutputText(ReadOnlySpan<char> text) => _outputText.Append(text);

    public void OnOutputRefusal(ReadOnlySpan<char> text) => _outputText.Append(text);

    public void OnToolCall(in ToolCallFragment fragment)
    {
        var into = fragment.IsItem ? _toolItems : _toolFragments;
        if (!fragment.Name.IsEmpty)
        {
            into.Append(fragment.Name);
            into.Append(' ');
        }

        into.Append(fragment.Arguments);
    }

    public void OnFinishReason(string reason) => FinishReason = reason;

    public void OnUsage(in OpenAiUsage usage) => Usage = usage;

    public void Dispose()
    {
        _text.Dispose();
        _outputText.Dispose();
        _toolFragments.Dispose();
        _toolItems.Dispose();
    }

    /// <summary>Forgets everything it observed, for the next response (its buffers are given back by <see cref="Dispose"/>).</summary>
    public void Restart()
    {
        _text.Clear();
        _outputText.Clear();
        _toolFragments.Clear();
        _toolItems.Clear();
        _sawText = false;
        Usage = null;
        Model = null;
        FinishReason = null;
        FirstTextTimestamp = null;
    }
}
