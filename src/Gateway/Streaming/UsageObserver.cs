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
    private bool _sawText;

    public OpenAiUsage? Usage { get; private set; }

    public string? Model { get; private set; }

    public string? FinishReason { get; private set; }

    /// <summary>When the first generated text was read (the tap reads it right after sending it on).</summary>
    public long? FirstTextTimestamp { get; private set; }

    /// <summary>The generated text: the deltas a stream carried, else a Responses API body's whole output.</summary>
    public ReadOnlySpan<char> Text => _sawText ? _text.WrittenSpan : _outputText.WrittenSpan;

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

    public void OnOutputStart() => _outputText.Clear();

    public void OnOutputText(ReadOnlySpan<char> text) => _outputText.Append(text);

    public void OnFinishReason(string reason) => FinishReason = reason;

    public void OnUsage(in OpenAiUsage usage) => Usage = usage;

    public void Dispose()
    {
        _text.Dispose();
        _outputText.Dispose();
    }

    /// <summary>Forgets everything it observed, for the next response (its buffers are given back by <see cref="Dispose"/>).</summary>
    public void Restart()
    {
        _text.Clear();
        _outputText.Clear();
        _sawText = false;
        Usage = null;
        Model = null;
        FinishReason = null;
        FirstTextTimestamp = null;
    }
}
