using Microsoft.ML.Tokenizers;

namespace LlmGateway.MockProvider.Generation;

/// <summary>Real o200k_base token counts, so gateway token accounting can be tested against exact numbers.</summary>
internal sealed class TokenCounter
{
    // Static: loading the vocabulary is expensive, and tests may host several mock instances in one process.
    private static readonly Lazy<Tokenizer> O200kBase = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private readonly Tokenizer _tokenizer = O200kBase.Value;

    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.CountTokens(text);
}
