namespace LlmGateway.Accounting;

/// <summary>
/// The tokenizer's count of one request's prompt, made at most once and only if something needs it
/// (a budget's reservation, or billing when the provider reports no usage). The middleware creates
/// it with the request; the budget and the accountant read the same value.
/// </summary>
/// <param name="body">The upstream body (pooled; it outlives the request's forwarding).</param>
/// <param name="encoding">The requested model's encoding (a fallback model's text is the same).</param>
internal sealed class PromptTokenEstimate(ReadOnlyMemory<byte> body, string encoding)
{
    // OpenAI's chat framing: each message costs a few tokens beyond its text, and the reply is primed.
    private const int TokensPerMessage = 4;
    private const int ReplyPriming = 3;

    private int? _tokens;
    private int _messages;
    private int _textBytes;

    /// <summary>How many times the prompt was tokenized: 0 or 1.</summary>
    public int Tokenizations { get; private set; }

    /// <summary>The prompt's text tokens (what billing estimates when the provider reports no usage).</summary>
    public int Count(TokenizerRegistry tokenizers)
    {
        if (_tokens is null)
        {
            Tokenizations++;
            _tokens = tokenizers.Count(RequestText.Extract(body.Span, out _messages, out _textBytes), encoding);
        }

        return _tokens.Value;
    }

    /// <summary>
    /// An upper bound of what the provider will count as input (what a budget reserves): the text's
    /// tokens, the per-message framing, and one token per byte of everything else in the body (tool
    /// definitions, schemas, names, token-id arrays: a token is never shorter than a byte). Images and
    /// server-side conversation state are not in the body, so not in the bound.
    /// </summary>
    public long UpperBound(TokenizerRegistry tokenizers)
    {
        var text = Count(tokenizers);
        var framing = _messages == 0 ? 0 : ((long)_messages * TokensPerMessage) + ReplyPriming;
        return text + framing + Math.Max(0, body.Length - _textBytes);
    }
}
