using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class IsAbstentionScorerTests
{
    private static readonly string LongAnswer = string.Concat(Enumerable.Repeat("Here is a detailed, helpful answer. ", 12));

    public static TheoryData<string> Abstentions =>
    [
        "I don't know.",
        "I don't know the answer to that.",
        "That's not in my knowledge base.",
        "I'm not sure.",
        "I\u2019m not sure about that, sorry.",
        "I don't have information about that product.",
        "I couldn't find anything about a 'Zephyr X9' in our catalogue.",
        "There is no information about that in the documents I have.",
        "I can't verify that claim.",
        "I have no data on sales in 2031.",
        "Honestly, I do not know who won the 1823 village chess championship.",
        "I'm not aware of any law by that name.",
        "I don't have enough information to answer that.",
        "I couldn't find a record of an order with that number.",
        "I was unable to find any mention of that event.",
        "There's no record of that flight in our system.",
        "No information is available on that topic.",
        "I'm not certain which version introduced that flag.",
        "That question is beyond my knowledge.",
        "The provided context does not mention the CEO's salary.",
        "The documents don't say when the policy changed.",
        "I have no idea, sorry.",
        "I'm unsure \u2014 I don't have reliable data on that.",
        "Sorry, I can't confirm that; I have no way of verifying it.",
        "I have no way to know what your manager decided.",
        "I'd be guessing if I gave you a number.",
        "I haven't heard of that company.",
        "I don't recognize that product name.",
        "I'm not familiar with the 'Orion' plan.",
        "We don't have any records for that account.",
        "That isn't covered in our documentation, so I can't say for certain.",
        "I cannot determine that from the information provided.",
        "Unfortunately, I wasn't able to find the answer in the knowledge base.",
        "There is no publicly available information on that.",
        "I lack the information needed to answer.",
        "I don't have access to that information.",
        "I couldn't find the issue you described in our logs.",
        "I don't know of any company called Zephyr Labs.",
        "There is no record of an order numbered A-99 on your account.",
        "I'm not sure what you mean by 'Zephyr X9'.",
        "I don't know the exact figure. " + LongAnswer,
    ];

    public static TheoryData<string> Answers =>
    [
        "Paris is the capital of France.",
        "I know exactly what you mean; the answer is 42.",
        "I don't know about you, but I love the new dark mode. It's under Settings > Appearance.",
        "Not sure where to start? Here's a quick guide.",
        "If you're not sure which size to pick, go one size up.",
        "You couldn't find the settings? They're under Profile > Preferences.",
        "There is no fee for returns within 30 days.",
        "There's no information you need to provide beyond your order number.",
        "We don't have data caps on any plan.",
        "I couldn't find a better deal anywhere \u2014 this is the cheapest plan.",
        "I'm sure you'll love it!",
        "We verified your identity; you can now log in.",
        "Our knowledge base article explains how to reset your password.",
        "I can verify that your order shipped yesterday.",
        "I have no doubt this will work.",
        "Unknown error? Try clearing the cache.",
        "Customers often say \"I don't know my account number\"; you can find it on your invoice.",
        LongAnswer + "I'm not sure about the rest.",
        "If I don't know the answer, I'll connect you with an expert.",
        "When the model isn't sure, it should say I don't know.",
        "The Eiffel Tower is 330 metres tall.",
        "Yes \u2014 the warranty covers water damage for two years.",
        "Here's what I found: your order A-42 ships Monday.",
        "I know the feeling! Resetting the router usually fixes it.",
        "Let me know if you don't know your account number and I'll look it up by email.",
        "I don't know why you were charged twice, but I've refunded the duplicate.",
        "I'm certain: the meeting is at 3 pm.",
        "No problem! Your new password is active.",
        "The search results show three matching stores near you.",
        "There is no limit on the number of projects.",
        "I did find two orders under that email: A-41 and A-42.",
        "That's covered in our documentation under Billing > Invoices.",
        "I have no problem helping with that \u2014 what's the order number?",
        "Not in stock right now, but it's back on Friday.",
        "You don't have enough credits for this export; top up under Billing.",

        // Finding no flaw, knowing of none, a clean record, and a clarification followed by an answer.
        "I didn't find any issues with your code.",
        "We couldn't find any problems with your account; it is active.",
        "I couldn't identify any errors in the config\u2026",
        "I'm unable to find a single syntax error in that file.",
        "I don't know of any reason why that wouldn't work.",
        "I'm not aware of any known issues with that version.",
        "There is no record of a late payment on your account\u2026",
        "There are no records of any complaints against this seller.",
        "I'm not sure I follow, but assuming you mean the Pro plan, it costs $20.",
        "I'm not sure what you mean \u2014 but if it's the invoice total, it is $42.",
        "",
    ];

    [Theory]
    [MemberData(nameof(Abstentions))]
    public async Task Is_abstention_recognises_an_admission_of_not_knowing(string output) =>
        await AssertOutcomeAsync("""{"type":"is-abstention"}""", output, Outcome.Pass);

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Is_abstention_leaves_an_answer_alone(string output) =>
        await AssertOutcomeAsync("""{"type":"is-abstention"}""", output, Outcome.Fail);

    [Fact]
    public void The_tables_are_large_enough_to_mean_something()
    {
        Assert.True(Abstentions.Count >= 30, $"{Abstentions.Count} abstentions");
        Assert.True(Answers.Count >= 30, $"{Answers.Count} answers");
    }

    [Theory]
    [InlineData("The capital of Australia is Canberra.", Outcome.Pass)]
    [InlineData("I'm not sure which city is the capital.", Outcome.Fail)]
    public async Task Not_is_abstention_asserts_the_model_answered(string output, Outcome expected) =>
        await AssertOutcomeAsync("""{"type":"not-is-abstention"}""", output, expected);

    [Fact]
    public async Task The_reason_quotes_the_admission()
    {
        var result = await ScoreAsync("""{"type":"is-abstention"}""", "Sorry, that's not in my knowledge base.");

        Assert.Contains("not in my knowledge base", result.Reason, StringComparison.Ordinal);
    }
}
