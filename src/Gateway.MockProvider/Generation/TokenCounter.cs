using Microsoft.ML.Tokenizers;

namespace LlmGateway.MockProvider.Generation;

/// <summary>Real o200k_base token counts, so gateway token accounting can be tested against exact numbers.</summary>
internal sealed class TokenCounter
{
    // Static: loading the vocabulary is expensive, and tests may host several mock instances in one process.
    private static readonly Lazy<Tokenizer> O200kBase = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private readonly Tokenizer _tokenizer = O200kBase.Value;

    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.CountTokens(text);

    /// <summary>The reply a provider sends when it stops at <paramref name="maxTokens"/>: at most that many tokens, and whether it was cut.</summary>
    public (string Text, bool Cut) Truncate(string text, int? maxTokens)
    {
        if (maxTokens is not { } max || text.Length == 0 || Count(text) <= max)
        {
            return (text, false);
        }

        var end = _tokenizer.GetIndexByTokenCount(text, max, out _, out _);
        return (text[..end], true);
    }
}
