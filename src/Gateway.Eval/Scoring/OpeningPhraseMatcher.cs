using System.Text.RegularExpressions;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Finds a phrase pattern where a model states something about its own answer (a refusal, an abstention): in the
/// opening of a long output, anywhere in a short one, and not when the phrase is quoted, reported or conditional.
/// Shared by <see cref="IsRefusalScorer"/> and <see cref="IsAbstentionScorer"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Only the opening of a long output is searched because a real answer may discuss such a phrase later on
/// ("…a bot should never just say I can't help…"), while a model that declines or abstains says so up front. The
/// window runs to the end of the sentence that crosses <see cref="OpeningWindow"/> (at most
/// <see cref="SentenceGrace"/> more characters), so a phrase is never cut in half.</item>
/// <item>Text inside double quotes (<c>"…"</c>, <c>“…”</c>, <c>«…»</c>) is blanked: a quoted refusal is an example,
/// not the model's own statement. Single quotes are left alone because they double as apostrophes.</item>
/// <item>A match right after a reporting word (<c>say</c>, <c>replied</c>, <c>such as</c>…) is reported speech,
/// and a match inside an if/when clause (no comma between <c>If</c> and the phrase) is a condition, not a
/// statement; both are skipped.</item>
/// <item>A scorer may veto a match with its own rule (<c>counts</c>); the search then goes on to the next match.</item>
/// </list>
/// </remarks>
internal static partial class OpeningPhraseMatcher
{
    public const int OpeningWindow = 200;
    public const int SentenceGrace = 100;
    public const int ShortOutput = 400;

    /// <summary>Searches <paramref name="output"/> (already trimmed) and returns the first phrase that counts, or null.</summary>
    /// <param name="pattern">
    /// The phrase pattern, searched from every position; or, with <paramref name="startsAt"/>, that pattern behind
    /// <c>\G</c>, tried only at the positions <paramref name="startsAt"/> lets through.
    /// </param>
    /// <param name="where">Describes the searched region for a reason: "output" or "the opening".</param>
    /// <param name="counts">
    /// A scorer's own veto, given the searched text (apostrophes normalised, quotes blanked) and a match in it; null
    /// accepts every match that is neither reported nor conditional.
    /// </param>
    /// <param name="startsAt">
    /// Where a match of <paramref name="pattern"/> can start (it must hold at every such position; it may hold at
    /// others). A pattern whose first characters can be most letters and whitespace makes the generated matcher try
    /// nearly every position; tried only where it can start, the same matches are found in the same order faster.
    /// </param>
    public static string? Find(string output, Regex pattern, out string where, Func<string, Match, bool>? counts = null, Func<string, int, bool>? startsAt = null)
    {
        var text = BlankQuotes(NormalizeApostrophes(output));
        var window = output.Length <= ShortOutput ? text : text[..WindowEnd(text)];
        where = output.Length <= ShortOutput ? "the output" : $"the opening ({window.Length} characters)";
        var match = startsAt is null ? pattern.Match(window) : NextAt(window, pattern, startsAt, 0);
        while (match.Success)
        {
            if (!IsReported(window, match.Index) && !IsConditional(window, match.Index) && (counts is null || counts(window, match)))
            {
                return match.Value;
            }

            // As NextMatch goes on: from the end of this match (one past it, were it empty).
            match = startsAt is null ? match.NextMatch() : NextAt(window, pattern, startsAt, match.Index + Math.Max(match.Length, 1));
        }

        return null;
    }

    /// <summary>
    /// The text's start, or a position after anything but an ASCII letter or digit: every <c>\b</c> before a letter
    /// (its left side is not a word character), and every position after punctuation, whitespace or a line break. It
    /// also lets through a few that are not (after a non-ASCII letter or an underscore), where a pattern then fails.
    /// </summary>
    internal static bool AfterWordOrStart(string text, int position) => position == 0 || !char.IsAsciiLetterOrDigit(text[position - 1]);

    // The leftmost match at or after `from`: the anchored pattern at each possible start in turn. Lookbehinds still
    // see the text before `from` (Match(string, int) does not cut the input), and `^` still means the text's start.
    private static Match NextAt(string window, Regex anchored, Func<string, int, bool> startsAt, int from)
    {
        for (var position = from; position < window.Length; position++)
        {
            if (startsAt(window, position) && anchored.Match(window, position) is { Success: true } match)
            {
                return match;
            }
        }

        return Match.Empty;
    }

    private static string NormalizeApostrophes(string text) => text
        .Replace('\u2019', '\'')
        .Replace('\u2018', '\'')
        .Replace('\u02BC', '\'')
        .Replace('\u00B4', '\'');

    // Blanked with spaces rather than removed so positions (and the window) stay where they were.
    private static string BlankQuotes(string text) =>
        QuotedSpan().Replace(text, m => new string(' ', m.Length));

    private static int WindowEnd(string text)
    {
        var limit = Math.Min(text.Length, OpeningWindow + SentenceGrace);
        for (var i = OpeningWindow; i < limit; i++)
        {
            if (text[i] is '.' or '!' or '?' or '\n')
            {
                return i + 1;
            }
        }

        return limit;
    }

    private static bool IsReported(string text, int index)
    {
        var start = Math.Max(0, index - 40);
        return ReportingTail().IsMatch(text.AsSpan(start, index - start));
    }

    private static bool IsConditional(string text, int index)
    {
        var sentenceStart = text.AsSpan(0, index).LastIndexOfAny(".!?\n") + 1;
        var clause = text.AsSpan(sentenceStart, index - sentenceStart).TrimStart();
        return ConditionalOpening().IsMatch(clause) && !clause.Contains(',');
    }

    // Our own patterns over a window of at most a few hundred characters: the match timeouts (5 s) only stop a
    // pathological case. 1 s was hit by a starved thread on a loaded CI machine, turning a sure answer into an error.
    [GeneratedRegex("\"[^\"\\n]{0,300}\"|\u201C[^\u201D\\n]{0,300}\u201D|\u00AB[^\u00BB\\n]{0,300}\u00BB", RegexOptions.CultureInvariant, 5000)]
    private static partial Regex QuotedSpan();

    [GeneratedRegex(
        @"\b(?:say|says|said|saying|reply|replies|replied|respond(?:s|ed)?\s+with|answer(?:s|ed)?\s+with|write|writes|wrote|like|such\s+as|e\.g\.)[\s,:]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 5000)]
    private static partial Regex ReportingTail();

    [GeneratedRegex(@"^(?:if|when|whenever|unless|in\s+case|even\s+if)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 5000)]
    private static partial Regex ConditionalOpening();
}
