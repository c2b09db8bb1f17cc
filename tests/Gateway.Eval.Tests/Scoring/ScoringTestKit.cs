using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>Runs assertions through a default registry and checks outcomes, including the negated variant of every row.</summary>
internal static class ScoringTestKit
{
    public static readonly ScorerRegistry Registry = ScorerRegistry.CreateDefault();

    public static ScoringInput Input(string output) => new() { Output = output };

    public static Outcome OutcomeOf(ScoreResult result) =>
        result.IsError ? Outcome.Error : result.Pass ? Outcome.Pass : Outcome.Fail;

    public static Dictionary<string, JsonElement> Vars(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    public static Task<ScoreResult> ScoreAsync(string assertionJson, string output, ScorerRegistry? registry = null) =>
        ScoreAsync(assertionJson, Input(output), registry);

    public static async Task<ScoreResult> ScoreAsync(string assertionJson, ScoringInput input, ScorerRegistry? registry = null) =>
        await (registry ?? Registry).ScoreAsync(AssertionSpec.Parse(assertionJson), input, TestContext.Current.CancellationToken);

    public static Task<ScoreResult> AssertOutcomeAsync(string assertionJson, string output, Outcome expected, ScorerRegistry? registry = null) =>
        AssertOutcomeAsync(assertionJson, Input(output), expected, registry);

    /// <summary>
    /// Asserts the row's outcome and the invariants every result keeps, then scores the opposite variant
    /// (<c>X</c> ↔ <c>not-X</c>) and asserts it is the exact negation — or the same error.
    /// </summary>
    public static async Task<ScoreResult> AssertOutcomeAsync(string assertionJson, ScoringInput input, Outcome expected, ScorerRegistry? registry = null)
    {
        registry ??= Registry;
        var assertion = AssertionSpec.Parse(assertionJson);
        var result = await registry.ScoreAsync(assertion, input, TestContext.Current.CancellationToken);

        Assert.True(expected == OutcomeOf(result), $"expected {expected} but got {result}");
        AssertInvariants(result);

        await AssertNegationIsExactAsync(registry, assertion, input, result);
        return result;
    }

    /// <summary>Scores the opposite variant (<c>X</c> ↔ <c>not-X</c>) and asserts it is the exact negation of <paramref name="result"/>, or the same error.</summary>
    public static async Task AssertNegationIsExactAsync(ScorerRegistry registry, AssertionSpec assertion, ScoringInput input, ScoreResult result)
    {
        var opposite = assertion with
        {
            Type = assertion.Type.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase)
                ? assertion.Type[ScorerRegistry.NegationPrefix.Length..]
                : ScorerRegistry.NegationPrefix + assertion.Type,
        };
        var negated = await registry.ScoreAsync(opposite, input, TestContext.Current.CancellationToken);
        AssertInvariants(negated);
        if (result.IsError)
        {
            Assert.True(negated.IsError, $"{opposite.Type} of an errored assertion must stay errored, got {negated}");
        }
        else
        {
            Assert.Equal(!result.Pass, negated.Pass);
            Assert.Equal(1 - result.Score, negated.Score, 9);
        }
    }

    public static void AssertInvariants(ScoreResult result)
    {
        Assert.InRange(result.Score, 0, 1);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        if (result.IsError)
        {
            Assert.False(result.Pass);
        }
    }
}
