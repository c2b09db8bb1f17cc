using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class ContainsScorerTests
{
    [Theory]
    [InlineData("""{"type":"contains","value":"refund"}""", "We will refund you.", Outcome.Pass)]
    [InlineData("""{"type":"contains","value":"refund"}""", "We will REFUND you.", Outcome.Fail)]
    [InlineData("""{"type":"contains","value":"refund"}""", "", Outcome.Fail)]
    [InlineData("""{"type":"contains","value":42}""", "the answer is 42", Outcome.Pass)]
    [InlineData("""{"type":"not-contains","value":"password"}""", "Here is your summary.", Outcome.Pass)]
    [InlineData("""{"type":"not-contains","value":"password"}""", "Your password is hunter2", Outcome.Fail)]
    [InlineData("""{"type":"icontains","value":"refund"}""", "We will REFUND you.", Outcome.Pass)]
    [InlineData("""{"type":"icontains","value":"Refund"}""", "no money back", Outcome.Fail)]
    [InlineData("""{"type":"contains","value":""}""", "anything", Outcome.Error)]
    [InlineData("""{"type":"contains"}""", "anything", Outcome.Error)]
    [InlineData("""{"type":"contains","value":["a"]}""", "a", Outcome.Error)]
    [InlineData("""{"type":"icontains","value":{"a":1}}""", "a", Outcome.Error)]
    public async Task Contains_and_icontains(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Theory]
    [InlineData("""{"type":"contains-any","value":["refund","credit"]}""", "store credit issued", Outcome.Pass)]
    [InlineData("""{"type":"contains-any","value":["refund","credit"]}""", "no luck", Outcome.Fail)]
    [InlineData("""{"type":"contains-any","value":"refund, credit"}""", "store credit issued", Outcome.Pass)]
    [InlineData("""{"type":"contains-any","value":["Refund"]}""", "refund", Outcome.Fail)]
    [InlineData("""{"type":"icontains-any","value":["Refund"]}""", "refund", Outcome.Pass)]
    [InlineData("""{"type":"not-contains-any","value":["ssn","password"]}""", "all clear", Outcome.Pass)]
    [InlineData("""{"type":"contains-all","value":["order","shipped"]}""", "your order has shipped", Outcome.Pass)]
    [InlineData("""{"type":"contains-all","value":["order","shipped"]}""", "your order is late", Outcome.Fail)]
    [InlineData("""{"type":"contains-all","value":"order,shipped"}""", "order shipped", Outcome.Pass)]
    [InlineData("""{"type":"icontains-all","value":["ORDER","Shipped"]}""", "order shipped", Outcome.Pass)]
    [InlineData("""{"type":"contains-all","value":[1,2]}""", "1 and 2", Outcome.Pass)]
    [InlineData("""{"type":"contains-any","value":[]}""", "x", Outcome.Error)]
    [InlineData("""{"type":"contains-any","value":["a",""]}""", "x", Outcome.Error)]
    [InlineData("""{"type":"contains-all","value":"a,,b"}""", "a b", Outcome.Error)]
    [InlineData("""{"type":"contains-all","value":[{"a":1}]}""", "x", Outcome.Error)]
    [InlineData("""{"type":"contains-all"}""", "x", Outcome.Error)]
    public async Task Contains_any_and_contains_all(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Fact]
    public async Task Contains_all_scores_the_fraction_found_and_names_what_is_missing()
    {
        var result = await ScoreAsync("""{"type":"contains-all","value":["a1","b2","c3","d4"]}""", "a1 c3");

        Assert.Equal(0.5, result.Score);
        Assert.Contains("\"b2\"", result.Reason, StringComparison.Ordinal);
        Assert.Contains("\"d4\"", result.Reason, StringComparison.Ordinal);
    }
}
