using System.Text.Json;
using CsCheck;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class ScoringPropertyTests
{
    private static readonly Gen<string> Word = Gen.OneOf(
        Gen.Char['a', 'e'].Array[1, 4].Select(chars => new string(chars)),
        Gen.OneOf("refund", "idiot", "sorry", "I can't help with", "JSON", "{", "}", "[1]", "\"a\"", ":"));

    private static readonly Gen<string> Text = Gen.Select(Word, Gen.OneOf(" ", ", ", ". ", "\n", ""))
        .Array[0, 20]
        .Select(parts => string.Concat(parts.Select(p => p.Item1 + p.Item2)));

    private static readonly Gen<JsonElement?> Value = Gen.OneOf(
        Gen.Const((JsonElement?)null),
        Word.Select(w => (JsonElement?)JsonSerializer.SerializeToElement(w)),
        Word.Array[0, 3].Select(ws => (JsonElement?)JsonSerializer.SerializeToElement(ws)),
        Gen.Int[-3, 300].Select(i => (JsonElement?)JsonSerializer.SerializeToElement(i)),
        Word.Select(w => (JsonElement?)JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["path"] = "$." + w, ["equals"] = w })),
        Gen.Const((JsonElement?)JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["type"] = "object" })));

    private static readonly Gen<double?> Threshold = Gen.OneOf<double?>(null, -1, 0, 0.5, 1, 3, 1000);

    private static readonly ScorerRegistry Registry = ScorerRegistry.CreateDefault(
        new FakeEmbeddingClient([]),
        new FakeLlmJudge("""{"pass":true,"score":0.5,"reason":"meh"}"""));

    private static readonly Gen<AssertionSpec> Assertion = Gen.Select(Gen.OneOf(Registry.Names.ToArray()), Value, Threshold)
        .Select((type, value, threshold) => new AssertionSpec(type, value, Threshold: threshold));

    private static readonly Gen<ScoringInput> Input = Gen.Select(Text, Gen.Int[0, 5000], Gen.Int[0, 500])
        .Select((output, ms, tokens) => new ScoringInput { Output = output, LatencyMs = ms, CostUsd = tokens / 100_000m, OutputTokens = tokens });

    [Fact]
    public async Task For_any_scorer_and_value_not_x_is_the_exact_negation_of_x_and_nothing_throws() =>
        await Gen.Select(Assertion, Input).SampleAsync(async (assertion, input) =>
        {
            var result = await Registry.ScoreAsync(assertion, input, TestContext.Current.CancellationToken);

            ScoringTestKit.AssertInvariants(result);
            await ScoringTestKit.AssertNegationIsExactAsync(Registry, assertion, input, result);
        });

    [Fact]
    public void Rouge_l_of_a_text_with_itself_is_one_and_the_measure_is_symmetric() =>
        Gen.Select(Text, Text).Sample((a, b) =>
        {
            Assert.Equal(1, RougeLScorer.F1(a, a));
            Assert.Equal(RougeLScorer.F1(a, b), RougeLScorer.F1(b, a), 12);
            Assert.InRange(RougeLScorer.F1(a, b), 0, 1);
        });

    [Fact]
    public void Levenshtein_is_a_bounded_symmetric_distance() =>
        Gen.Select(Text, Text).Sample((a, b) =>
        {
            Assert.Equal(0, LevenshteinScorer.Distance(a, a));
            Assert.Equal(LevenshteinScorer.Distance(a, b), LevenshteinScorer.Distance(b, a));
            Assert.Equal(b.Length, LevenshteinScorer.Distance(a, a + b));
            Assert.InRange(LevenshteinScorer.Distance(a, b), Math.Abs(a.Length - b.Length), Math.Max(a.Length, b.Length));
        });
}
