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

    /// <summary>
    /// The longest run of non-whitespace, or of whitespace, handed to the tokenizer in one piece. Byte-pair merging of one pre-token
    /// is superlinear in its length (64 K of one letter took 17 s on one core), so a client could buy minutes of CPU
    /// with one long "word" or a megabyte of spaces or newlines; a longer run is counted in pieces of this length (a megabyte of one letter then costs
    /// about 0.3 s, twice a megabyte of prose). Real words, numbers and URLs are shorter, so ordinary text is counted
    /// exactly as before; a cut run can only come out a little higher (no merge crosses a cut), which keeps a
    /// budget's reservation an upper bound.
    /// </summary>
    public const int MaxRunLength = 128;

    public int Count(string text, string encoding)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        var tokenizer = _byEncoding.GetValueOrDefault(encoding, _byEncoding[O200k]).Value;
        var span = text.AsSpan();
        var total = 0;
        var start = 0;
        var run = 0;
        var inSpace = false;
        for (var i = 0; i < span.Length; i++)
        {
            // A run of whitespace is one pre-token too (the pattern's \s+ alternatives): it is cut like a word.
            var space = char.IsWhiteSpace(span[i]);
            if (space != inSpace)
            {
                inSpace = space;
                run = 1;
            }
            else if (++run > MaxRunLength && !char.IsLowSurrogate(span[i]))
            {
                total += tokenizer.CountTokens(span[start..i]);
                start = i;
                run = 1;
            }
        }

        return total + tokenizer.CountTokens(span[start..]) + SpecialTextSurcharge(span, tokenizer);
    }

    /// <summary>
    /// The tokenizer reads the text of its special tokens (<c>&lt;|endoftext|&gt;</c>) as one token each, while a provider
    /// reads a user's text as ordinary text, several tokens each: a prompt made of them would be counted a fraction of
    /// what it costs. Each is counted at a token per character instead (a token is never shorter), an upper bound.
    /// </summary>
    private static int SpecialTextSurcharge(ReadOnlySpan<char> text, Tokenizer tokenizer)
    {
        if (tokenizer is not TiktokenTokenizer { SpecialTokens: { Count: > 0 } specials })
        {
            return 0;
        }

        var extra = 0;
        for (var at = text.IndexOf("<|", StringComparison.Ordinal); at >= 0; at = text.IndexOf("<|", StringComparison.Ordinal))
        {
            text = text[at..];
            foreach (var special in specials.Keys)
            {
                if (text.StartsWith(special, StringComparison.Ordinal))
                {
                    extra += special.Length - 1;
                    break;
                }
            }

            text = text[2..];
        }

        return extra;
    }
}
