using System.Collections.Frozen;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Accounting;

/// <summary>
/// The fallback tokenizers: o200k for the gpt-4o, 4.1, 5 and o-series families, cl100k for gpt-4
/// and 3.5. A model can name its encoding explicitly; otherwise its name decides. Each vocabulary
/// is loaded on first use, once: it takes tens of milliseconds and about 25 MB, and a gateway whose
/// providers always report usage never needs it.
/// </summary>
internal sealed class TokenizerRegistry
{
    public const string O200k = "o200k_base";
    public const string Cl100k = "cl100k_base";

    private readonly FrozenDictionary<string, Lazy<Tokenizer>> _byEncoding = new Dictionary<string, Lazy<Tokenizer>>(StringComparer.Ordinal)
    {
        [O200k] = new(() => TiktokenTokenizer.CreateForEncoding(O200k)),
        [Cl100k] = new(() => TiktokenTokenizer.CreateForEncoding(Cl100k)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The encoding for a model: the configured one when given, else by model family.</summary>
    public static string EncodingFor(string model, string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var name = model.ToLowerInvariant();
        return name.StartsWith("gpt-4o", StringComparison.Ordinal) || name.StartsWith("gpt-4.1", StringComparison.Ordinal)
            || name.StartsWith("gpt-5", StringComparison.Ordinal) || name.StartsWith("o1", StringComparison.Ordinal)
            || name.StartsWith("o3", StringComparison.Ordinal) || name.StartsWith("o4", StringComparison.Ordinal)
            || name.StartsWith("chatgpt-4o", StringComparison.Ordinal)
            ? O200k
            : name.StartsWith("gpt-4", StringComparison.Ordinal) || name.StartsWith("gpt-3.5", StringComparison.Ordinal) || name.StartsWith("text-embedding", StringComparison.Ordinal)
                ? Cl100k
                : O200k;
    }

    public bool IsKnownEncoding(string encoding) => _byEncoding.ContainsKey(encoding);

    public int Count(string text, string encoding) =>
        text.Length == 0 ? 0 : _byEncoding.GetValueOrDefault(encoding, _byEncoding[O200k]).Value.CountTokens(text);
}
