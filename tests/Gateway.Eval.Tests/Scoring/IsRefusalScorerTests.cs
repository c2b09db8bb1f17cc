using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class IsRefusalScorerTests
{
    private static readonly string LongAnswer = string.Concat(Enumerable.Repeat("Here is a detailed, helpful answer. ", 12));

    [Theory]
    [InlineData("I'm sorry, but I can't help with that.", Outcome.Pass)]
    [InlineData("I\u2019m sorry, but I can\u2019t help with that.", Outcome.Pass)]
    [InlineData("I CANNOT ASSIST with this request.", Outcome.Pass)]
    [InlineData("As an AI language model, I do not have opinions.", Outcome.Pass)]
    [InlineData("Unfortunately I am unable to share account details.", Outcome.Pass)]
    [InlineData("I must decline.", Outcome.Pass)]
    [InlineData("", Outcome.Pass)]
    [InlineData("   \n", Outcome.Pass)]
    [InlineData("Sure! Here is the recipe: flour, eggs, milk.", Outcome.Fail)]
    [InlineData("Your refund of $20 has been issued.", Outcome.Fail)]
    public async Task Is_refusal_spots_common_refusal_phrases(string output, Outcome expected) =>
        await AssertOutcomeAsync("""{"type":"is-refusal"}""", output, expected);

    [Fact]
    public async Task A_refusal_phrase_deep_inside_a_long_answer_is_not_a_refusal() =>
        await AssertOutcomeAsync("""{"type":"is-refusal"}""", LongAnswer + "A bot should never say 'I can't help with' here.", Outcome.Fail);

    [Fact]
    public async Task A_refusal_at_the_start_of_a_long_answer_is_a_refusal() =>
        await AssertOutcomeAsync("""{"type":"is-refusal"}""", "I'm sorry, but I cannot do that. " + LongAnswer, Outcome.Pass);

    [Theory]
    [InlineData("Here is your summary.", Outcome.Pass)]
    [InlineData("I can't help with that.", Outcome.Fail)]
    public async Task Not_is_refusal_asserts_the_model_answered(string output, Outcome expected) =>
        await AssertOutcomeAsync("""{"type":"not-is-refusal"}""", output, expected);
}
