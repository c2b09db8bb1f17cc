using System.Text.Json;
using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class AssertSetScorerTests
{
    private const string Output = "Sorry for the wait! Your order A-42 ships Monday.";

    [Fact]
    public async Task Without_a_threshold_every_member_must_pass()
    {
        var pass = await AssertOutcomeAsync("""
            {"type":"assert-set","assert":[{"type":"contains","value":"A-42"},{"type":"icontains","value":"monday"}]}
            """, Output, Outcome.Pass);
        var fail = await AssertOutcomeAsync("""
            {"type":"assert-set","assert":[{"type":"contains","value":"A-42"},{"type":"contains","value":"Tuesday","weight":3}]}
            """, Output, Outcome.Fail);

        Assert.Equal(1, pass.Score);
        Assert.Equal(0.25, fail.Score, 9);
        Assert.Contains("1 of 2 passed", fail.Reason, StringComparison.Ordinal);
        Assert.Contains("assert[1] (contains)", fail.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.75, Outcome.Pass)]
    [InlineData(0.76, Outcome.Fail)]
    public async Task With_a_threshold_the_weighted_score_must_reach_it(double threshold, Outcome expected)
    {
        // Weights 1 and 3, only the heavier member passes: 3 / 4 = 0.75.
        var result = await AssertOutcomeAsync($$"""
            {"type":"assert-set","threshold":{{threshold}},"assert":[
              {"type":"contains","value":"Tuesday"},
              {"type":"not-icontains","value":"unfortunately","weight":3}]}
            """, Output, expected);

        Assert.Equal(0.75, result.Score, 9);
    }

    [Fact]
    public async Task Zero_weights_everywhere_fall_back_to_the_plain_mean()
    {
        var result = await AssertOutcomeAsync("""
            {"type":"assert-set","threshold":0.5,"assert":[{"type":"contains","value":"A-42","weight":0},{"type":"contains","value":"nope","weight":0}]}
            """, Output, Outcome.Pass);

        Assert.Equal(0.5, result.Score, 9);
    }

    [Fact]
    public async Task A_member_that_errors_makes_the_set_errored_even_when_the_rest_would_reach_the_threshold()
    {
        var result = await AssertOutcomeAsync("""
            {"type":"assert-set","threshold":0.1,"assert":[{"type":"contains","value":"A-42","weight":9},{"type":"regex","value":"("}]}
            """, Output, Outcome.Error);

        Assert.Contains("assert[1] (regex) errored", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Members_get_the_case_vars_and_their_own_negation()
    {
        var input = Input(Output) with { Vars = Vars("""{"order":"A-42"}""") };

        await AssertOutcomeAsync("""
            {"type":"assert-set","assert":[{"type":"contains","value":"{{ order }}"},{"type":"not-is-refusal"}]}
            """, input, Outcome.Pass);
    }

    [Fact]
    public async Task Sets_nest()
    {
        await AssertOutcomeAsync("""
            {"type":"assert-set","assert":[
              {"type":"contains","value":"A-42"},
              {"type":"assert-set","threshold":0.5,"assert":[{"type":"contains","value":"Monday"},{"type":"contains","value":"Friday"}]}]}
            """, Output, Outcome.Pass);
    }

    [Fact]
    public void Every_registry_knows_assert_set_so_the_runner_accepts_it_before_any_call()
    {
        var registry = new ScorerRegistry([]);

        Assert.True(registry.TryGetScorer("assert-set", out _));
        Assert.Contains("assert-set", Registry.Names);
        Assert.Contains("is-abstention", Registry.Names);
    }

    [Fact]
    public void A_set_parses_with_its_members_and_keeps_its_weight_metric_and_threshold()
    {
        var spec = AssertionSpec.Parse("""
            {"type":"assert-set","weight":2,"metric":"tone","threshold":0.5,"assert":[{"type":"contains","value":"a"},{"type":"is-json","weight":3}]}
            """);

        Assert.True(spec.IsSet);
        Assert.Equal((2, "tone", 0.5), (spec.Weight, spec.Metric, spec.Threshold));
        Assert.Equal(["contains", "is-json"], spec.Children!.Select(c => c.Type));
        Assert.Equal(3, spec.Children![1].Weight);
    }

    [Theory]
    [InlineData("""{"type":"assert-set"}""", "non-empty list")]
    [InlineData("""{"type":"assert-set","assert":[]}""", "non-empty list")]
    [InlineData("""{"type":"assert-set","value":"x","assert":[{"type":"is-json"}]}""", "takes no 'value'")]
    [InlineData("""{"type":"assert-set","threshold":50,"assert":[{"type":"is-json"}]}""", "must be in [0, 1]")]
    [InlineData("""{"type":"assert-set","assert":[{"type":"is-json","metric":"format"}]}""", "'metric' is not allowed inside")]
    [InlineData("""{"type":"assert-set","assert":[{"type":"contains","weight":-1}]}""", "assert[0]: assertion 'contains': 'weight'")]
    [InlineData("""{"type":"assert-set","assert":[{"type":"contains","transform":"x"}]}""", "transform")]
    [InlineData("""{"type":"contains","value":"a","assert":[{"type":"is-json"}]}""", "only allowed on an assert-set")]
    public void An_invalid_set_is_rejected_with_the_reason(string json, string expected)
    {
        var ex = Assert.Throws<JsonException>(() => AssertionSpec.Parse(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
