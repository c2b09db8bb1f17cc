using CsCheck;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>
/// <c>is-refusal</c> tries its pattern only where a phrase can start (<see cref="IsRefusalScorer.CanStartAt"/>),
/// anchored there, instead of scanning from every position. Both searches must find the same phrase in the same
/// place for any text: checked on the scorer's own example tables, cut up and spliced with punctuation, quotes,
/// line breaks, digits, underscores and non-ASCII letters right against the words.
/// </summary>
public sealed class RefusalWordStartSearchTests
{
    private static readonly string[] Examples =
        [.. IsRefusalScorerTests.Refusals.Select(row => row.Data), .. IsRefusalScorerTests.Answers.Select(row => row.Data)];

    private static readonly Gen<string> Piece = Gen.OneOf(
        Gen.OneOf(Examples),
        // A piece of an example, cut anywhere: phrases start mid-text and mid-word.
        Gen.Select(Gen.OneOf(Examples), Gen.Int[0, 1000], Gen.Int[0, 1000])
            .Select((text, a, b) => Cut(text, a % (text.Length + 1), b % (text.Length + 1))),
        Gen.OneOf("I can't help", "we won't share your", "can't discuss", "Sorry, no", "as an AI, I don't", "no can do", "I'm"));

    private static readonly Gen<string> Joint = Gen.OneOf(
        "", " ", "  ", ". ", ".", "! ", "? ", "; ", ";", ", ", ": ", "\n", "\n  ", "\t", "\"", " \"", "\u201C", "\u201D", "'",
        "\u2019", "-", " - ", "\u2014", "_", "2", "\u00E9", "\u00DF", "\u4E2D", "(", ")", "say ", "If ", "when ",
        // Case-equivalents of ASCII letters and non-ASCII whitespace, right against the words.
        "\u212A", "\u0130", "\u0131", "\u017F", "\u00A0", "\u0085", "\u2028", " \u0131 ", "\u0130 ");

    private static readonly Gen<string> Text = Gen.Select(Joint, Piece).Array[1, 8]
        .Select(parts => string.Concat(parts.Select(p => p.Item1 + p.Item2)).Trim());

    private static string Cut(string text, int a, int b) => text.Substring(Math.Min(a, b), Math.Abs(a - b));

    [Fact]
    public void The_word_start_search_finds_what_the_every_position_search_finds() =>
        Text.Where(text => text.Length > 0).Sample(
            text =>
            {
                var expected = IsRefusalScorer.Phrase(text, out var expectedWhere, everyPosition: true);
                var found = IsRefusalScorer.Phrase(text, out var where);
                return expected == found && expectedWhere == where;
            },
            iter: 20_000);

    [Fact]
    public void Every_example_reads_the_same_both_ways()
    {
        foreach (var example in Examples)
        {
            Assert.Equal(IsRefusalScorer.Phrase(example, out _, everyPosition: true), IsRefusalScorer.Phrase(example, out _));
        }
    }

    [Theory]
    [InlineData("I can't help", 0, true)]
    [InlineData("so I can't help", 3, true)]
    [InlineData("so we can't", 3, true)]
    [InlineData("x.can't help", 2, true)]
    [InlineData("x. can't help", 2, true)]
    [InlineData("x\ncan't help", 2, true)]
    [InlineData("xI can't help", 1, false)]
    [InlineData("9I", 1, false)]
    [InlineData("so the", 3, false)]
    [InlineData("so, x", 3, true)]
    [InlineData("\u00E9I", 1, true)]
    [InlineData("a \u00C9", 2, true)]
    public void A_refusal_can_start_after_anything_but_an_ascii_letter_or_digit_at_one_of_its_first_characters(string text, int position, bool expected) =>
        Assert.Equal(expected, IsRefusalScorer.CanStartAt(text, position));
}
