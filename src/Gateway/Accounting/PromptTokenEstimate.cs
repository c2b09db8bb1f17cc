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
    private int? _tokens;

    /// <summary>How many times the prompt was tokenized: 0 or 1.</summary>
    public int Tokenizations { get; private set; }

    public int Count(TokenizerRegistry tokenizers)
    {
        if (_tokens is null)
        {
            Tokenizations++;
            _tokens = tokenizers.Count(RequestText.Extract(body.Span), encoding);
        }

        return _tokens.Value;
    }
}
