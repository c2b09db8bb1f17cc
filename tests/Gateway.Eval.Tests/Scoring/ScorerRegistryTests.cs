using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class ScorerRegistryTests
{
    [Theory]
    [InlineData("""{"type":"contains-some","value":"x"}""")]
    [InlineData("""{"type":"not-contains-some","value":"x"}""")]
    [InlineData("""{"type":"not-","value":"x"}""")]
    public async Task An_unknown_type_is_an_error_listing_the_known_types(string json)
    {
        var result = await AssertOutcomeAsync(json, "x", Outcome.Error);

        Assert.Contains("unknown assertion type", result.Error, StringComparison.Ordinal);
        foreach (var name in new[] { "contains", "is-json", "llm-rubric", "similar", "output-tokens" })
        {
            Assert.Contains(name, result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Negation_does_not_stack()
    {
        var result = await ScoreAsync("""{"type":"not-not-contains","value":"x"}""", "x");

        Assert.Contains("unknown assertion type 'not-not-contains'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_registry_knows_every_documented_scorer() =>
        Assert.Equal(
            [
                "assert-set", "contains", "contains-all", "contains-any", "contains-json", "cost", "equals", "icontains",
                "icontains-all", "icontains-any", "is-abstention", "is-json", "is-refusal", "json-field", "latency", "levenshtein",
                "llm-rubric", "output-tokens", "regex", "rouge-l", "similar", "starts-with", "toxicity",
            ],
            Registry.Names);

    [Theory]
    [InlineData("""{"type":"Contains","value":"refund"}""", Outcome.Pass)]
    [InlineData("""{"type":"NOT-contains","value":"refund"}""", Outcome.Fail)]
    public async Task Types_are_case_insensitive(string json, Outcome expected) =>
        await AssertOutcomeAsync(json, "a refund", expected);

    [Fact]
    public async Task A_scorer_that_throws_costs_one_errored_assertion_even_when_negated()
    {
        var registry = new ScorerRegistry([new ThrowingScorer()]);

        var result = await AssertOutcomeAsync("""{"type":"explodes"}""", "x", Outcome.Error, registry);

        Assert.Contains("boom", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_or_negated_scorer_names_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ScorerRegistry([new ThrowingScorer(), new ThrowingScorer()]));
        Assert.Throws<ArgumentException>(() => new ScorerRegistry([new ContainsScorer("not-this", ignoreCase: false)]));
    }

    [Theory]
    [InlineData("""{"type":"contains","value":"{{product}}"}""", "Your Widget ships today", Outcome.Pass)]
    [InlineData("""{"type":"contains","value":"{{ product }}"}""", "Your Widget ships today", Outcome.Pass)]
    [InlineData("""{"type":"contains","value":"{{product}} x{{count}}"}""", "Widget x3", Outcome.Pass)]
    [InlineData("""{"type":"not-contains","value":"{{product}}"}""", "Your Gadget ships today", Outcome.Pass)]
    [InlineData("""{"type":"contains-any","value":["{{product}}","nope"]}""", "Widget", Outcome.Pass)]
    [InlineData("""{"type":"equals","value":"{{order}}"}""", """{"qty":3,"id":"A1"}""", Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.id","equals":"{{order_id}}"}}""", """{"id":"A1"}""", Outcome.Pass)]
    public async Task Values_reference_case_vars(string json, string output, Outcome expected)
    {
        var input = Input(output) with { Vars = Vars("""{"product":"Widget","count":3,"order":{"id":"A1","qty":3},"order_id":"A1"}""") };

        await AssertOutcomeAsync(json, input, expected);
    }

    [Theory]
    [InlineData("""{"type":"contains","value":"{{missing}}"}""", "does not define")]
    [InlineData("""{"type":"not-contains","value":"{{missing}}"}""", "does not define")]
    [InlineData("""{"type":"contains","value":"{{ product | upper }}"}""", "unsupported template expression")]
    [InlineData("""{"type":"contains","value":"{{ order.id }}"}""", "unsupported template expression")]
    public async Task A_template_that_cannot_be_rendered_is_an_error_not_a_silent_literal(string json, string message)
    {
        var input = Input("{{missing}} Widget") with { Vars = Vars("""{"product":"Widget","order":{"id":"A1"}}""") };

        var result = await AssertOutcomeAsync(json, input, Outcome.Error);

        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_placeholder_without_any_vars_is_an_error() =>
        await AssertOutcomeAsync("""{"type":"contains","value":"{{product}}"}""", "{{product}}", Outcome.Error);

    [Fact]
    public async Task Our_own_cancellation_propagates_instead_of_becoming_an_error()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var registry = ScorerRegistry.CreateDefault(judge: new FakeLlmJudge(null, new OperationCanceledException(cts.Token)));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await registry.ScoreAsync(AssertionSpec.Parse("""{"type":"llm-rubric","value":"be nice"}"""), Input("x"), cts.Token));
    }
}
