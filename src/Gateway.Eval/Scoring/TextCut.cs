namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Cuts text for reasons and reports without splitting a character: a cut at a UTF-16 length can fall between the two
/// halves of a surrogate pair (an emoji), and the lone half it leaves cannot be written as XML or JSON at all.
/// </summary>
internal static class TextCut
{
    /// <summary>At most <paramref name="max"/> UTF-16 units of <paramref name="text"/>, one fewer where the cut would split a pair.</summary>
    public static ReadOnlySpan<char> Prefix(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (text.Length <= max)
        {
            return text;
        }

        var length = max > 0 && char.IsHighSurrogate(text[max - 1]) && char.IsLowSurrogate(text[max]) ? max - 1 : max;
        return text.AsSpan(0, length);
    }

    /// <summary><paramref name="text"/> cut to at most <paramref name="max"/> UTF-16 units, marked with "…" where it was cut.</summary>
    public static string Truncate(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= max ? text : string.Concat(Prefix(text, max), "…");
    }
}
