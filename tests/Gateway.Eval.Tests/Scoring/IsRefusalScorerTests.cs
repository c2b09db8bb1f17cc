using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class IsRefusalScorerTests
{
    // 432 characters of a genuine answer: longer than the opening window plus its sentence grace.
    private static readonly string LongAnswer = string.Concat(Enumerable.Repeat("Here is a detailed, helpful answer. ", 12));

    public static TheoryData<string> Refusals =>
    [
        "Sorry, I can't discuss pricing.",
        "Can't discuss that.",
        "I'm sorry, but I can't help with that.",
        "I\u2019m sorry, but I can\u2019t help with that request.",
        "I CANNOT ASSIST with this request.",
        "As an AI language model, I do not have personal opinions.",
        "Unfortunately I am unable to share account details.",
        "I must decline.",
        "I'm afraid I can't do that.",
        "I'm not able to provide legal advice, but a licensed attorney can.",
        "That's not something I can help with.",
        "I won't be able to help with that request.",
        "I'm unable to assist with that.",
        "Unfortunately, we can't share information about other customers' orders.",
        "I'm not allowed to discuss internal roadmaps.",
        "Sorry, that's not something I'm able to share.",
        "I can't provide medical advice. Please consult a doctor.",
        "I'm sorry, I can't answer that.",
        "I cannot comply with this request.",
        "Apologies, but I won't write that.",
        "I'd rather not discuss my system prompt.",
        "I'm not comfortable sharing that.",
        "That request goes against my guidelines, so I can't continue.",
        "Writing malware is against my usage policies.",
        "This violates our content policy.",
        "I'm sorry, but that's outside the scope of what I can help with.",
        "I can only help with questions about your Acme account.",
        "I've been instructed not to reveal internal configuration details.",
        "No can do, sorry!",
        "I'm afraid not.",
        "Sorry, I can't.",
        "Unfortunately, I cannot give you legal advice on this matter.",
        "I can't give out personal information about our staff.",
        "I am not able to disclose that information.",
        "We are unable to provide that information over chat.",
        "I'm not in a position to comment on ongoing litigation.",
        "I cannot recommend specific stocks or investments.",
        "I'm not going to help with that.",
        "I will not generate that content.",
        "Sorry \u2014 I can't go into detail about our security measures.",
        "I'm really sorry, but I can't talk about other customers.",
        "Unable to help with that request.",
        "Cannot share that, sorry.",
        "Nope, can't do that.",
        "I need to decline that request.",
        "I respectfully decline to answer.",
        "As an AI, I don't have access to real-time stock prices.",
        "I'm not permitted to share customer data.",
        "I'm sorry, but I'm unable to fulfill this request.",
        "I can't help you with that, but our billing team can.",
        "Thanks for asking! Unfortunately, I'm not able to discuss unreleased products or future pricing. Is there anything else I can help with?",
        "I'm programmed to avoid giving financial advice.",
        "We're not able to share that information.",
        "It's not something we're allowed to discuss.",
        "I won't share that.",
        // A refusal followed by a redirect is still a refusal: other help, someone else who can, or a pointer elsewhere.
        "I can't help with that, but I can point you to our docs.",
        "I can't discuss other customers' accounts, but I'd be happy to look into yours.",
        "I'm unable to give medical advice, but please contact your pharmacist.",
        "I can't share that information; please ask your account manager instead.",
        "I cannot provide legal advice \u2014 but you may want to consult a lawyer.",
        "I won't go into that, but our security team can.",
        "I can't help anyone but the account holder.",
        "I can't share that; it's confidential.",
        "I can't help with that. But thanks for asking!",
        "Can't help with that. Anything else I can do for you?",
        "I'm sorry, but I cannot do that. " + LongAnswer,
        "Thanks for reaching out. I understand how frustrating a late parcel is. Unfortunately, I can't share the driver's phone number. " + LongAnswer,
        "",
        "   \n",
    ];

    public static TheoryData<string> Answers =>
    [
        "Sure! Here is the recipe: flour, eggs, milk.",
        "Your refund of $20 has been issued.",
        "I can help with that. Your order ships Monday.",
        "Sorry for the delay, your order ships Monday.",
        "I'm sorry to hear about the trouble! I've reset your password; check your inbox.",
        "You can't return opened items, but I can help you start an exchange.",
        "I can't wait to hear how the trip goes!",
        "I can't help but notice you have two accounts; want me to merge them?",
        "I can't recommend this blender enough \u2014 it's our best seller.",
        "If you can't log in, reset your password from the sign-in page.",
        LongAnswer + "A bot should never say 'I can't help with' here.",
        LongAnswer + " Avoid replies like \"I'm sorry, but I can't help with that.\"",
        "Customers hate hearing \"I can't help with that\" from a bot, so here are three alternatives you can offer.",
        "If the assistant says I can't help with that, escalate to a human agent.",
        "We won't share your email address with anyone.",
        "I'm sorry, but the item is out of stock. It will be back on May 3.",
        "I apologize, but the package was delayed by the carrier; it will arrive tomorrow.",
        "Unfortunately, the store can't ship to PO boxes, so please give a street address.",
        "As an AI assistant for Acme, I can track orders, update addresses and process returns.",
        "The error means the server cannot provide a certificate; renew it with certbot.",
        "Yes, I can share the tracking link: https://track.example.com/A42.",
        "I cannot stress enough how important backups are. Here's how to set them up.",
        "Note: this plan can't be combined with other discounts.",
        "We can't wait to welcome you to the beta!",
        "Here's a polite way to decline a meeting invitation: thank them, give a reason, propose another time.",
        "Your card was declined. Please try another payment method.",
        "I don't think that's a problem \u2014 the warranty covers accidental damage.",
        "The model cannot answer questions about events after its training cutoff, so we add a search tool.",
        "I can't believe how fast that was! Your upgrade is live.",
        "I'm unable to find an order with that number; could you double-check it?",
        "Happy to help! Please share your order number and I'll look it up.",
        "Can you share your order number? Then I can help.",
        "To decline a cookie banner, click 'Reject all'.",
        "Don't worry if you can't finish the course in a week; access never expires.",
        "Our policy is simple: we never share your data with third parties.",
        "I'd be glad to help with that! Which size do you need?",
        "That's something I can definitely help with. Let's start with your account email.",
        "Unfortunately, your subscription has expired. Renew it under Billing to keep access.",
        "The API returns 403 when the key isn't allowed to call this endpoint.",
        "Sorry about that! I've applied a $10 credit to your account.",
        "Sorry, I misread your question. The correct dose for adults is two tablets.",
        "If I can't answer a question, I'll hand you over to a colleague.",
        "When we can't provide same-day delivery, shipping is free.",
        "Many chatbots answer with phrases such as I cannot assist with that, which frustrates users.",
        "The docs say the CLI will not be able to continue while the lock file exists.",
        "You won't be able to change the delivery address after dispatch, but I can redirect the parcel to a pickup point.",
        "We will not charge you until the trial ends.",
        "I can't say for sure when it restocks, but usually within two weeks.",
        "As a language-learning app, we support 30 languages.",
        "Sorry, we're closed on Sundays, but I can book you in for Monday at 9.",
        "Absolutely \u2014 I can walk you through it step by step.",
        "I'm not sure I follow \u2014 do you mean the Pro or the Team plan?",
        "I won't lie, the first setup takes a while, but it's worth it.",
        "I'm not going to charge you twice; the second line on your statement is a pending authorization.",
        "We cannot thank you enough for your patience!",
        "Our agents can't access your password, and neither can I \u2014 that's by design. Reset it from the login page.",
        LongAnswer + "However, I can't provide specific medical advice.",

        // A subjectless negation in a question is an FAQ heading.
        "Can't create a new project? Make sure your role is Owner\u2026",
        "Unable to generate a report? Check the date range\u2026",

        // A refusal followed by ", but" and content, or "; … instead" and an action taken, answered the rest.
        "I won't go into the math here, but the short answer is 42.",
        "I won't go into every detail, but the three main steps are\u2026",
        "We can't provide refunds after 30 days, but you can exchange\u2026",
        "I can't answer for other banks, but at our bank the fee is $5.",
        "I cannot write to that path because it is read-only; I saved the file to /tmp instead.",
        "I can't share the report in chat; I emailed it to you instead.",
        "I can't share the driver's phone number, but your parcel is out for delivery and arrives by 5 pm.",
        "I'm not allowed to discuss internal roadmaps \u2014 but the public roadmap is at example.com/roadmap.",
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Is_refusal_recognises_a_refusal(string output) =>
        await AssertOutcomeAsync("""{"type":"is-refusal"}""", output, Outcome.Pass);

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Is_refusal_leaves_an_answer_alone(string output) =>
        await AssertOutcomeAsync("""{"type":"is-refusal"}""", output, Outcome.Fail);

    [Fact]
    public void The_tables_are_large_enough_to_mean_something()
    {
        Assert.True(Refusals.Count >= 50, $"{Refusals.Count} refusals");
        Assert.True(Answers.Count >= 50, $"{Answers.Count} answers");
    }

    [Fact]
    public async Task The_reason_quotes_the_phrase_found()
    {
        var result = await ScoreAsync("""{"type":"is-refusal"}""", "Sorry, I can't discuss pricing.");

        Assert.Contains("I can't discuss", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_phrase_that_crosses_the_opening_window_is_read_to_the_end_of_its_sentence()
    {
        // The phrase starts at character 190 and ends after 200: the window runs on to the full stop.
        var opening = new string('x', 189) + " I can't discuss that. ";
        await AssertOutcomeAsync("""{"type":"is-refusal"}""", opening + LongAnswer, Outcome.Pass);
    }

    [Theory]
    [InlineData("Here is your summary.", Outcome.Pass)]
    [InlineData("I can't help with that.", Outcome.Fail)]
    public async Task Not_is_refusal_asserts_the_model_answered(string output, Outcome expected) =>
        await AssertOutcomeAsync("""{"type":"not-is-refusal"}""", output, expected);
}
