using System.Text.Json.Nodes;
using LlmGateway.Accounting;
using LlmGateway.Routing;
using LlmGateway.Sampling;

namespace LlmGateway.LoadTests.Evaluator;

/// <summary>
/// Stored samples as the sample writer leaves them, for the <c>evaluator</c> command: <c>prompt:lt-support</c>,
/// stable version 1 (90%) and canary version 2 (10%), a rendered four-message request, the application's three
/// messages and two variables, and a streamed answer of 1-2 KB with usage, cost, latency and time to first token.
/// Varied by index so the scorers do not see one text: the sentences rotate, every 5th answer is a JSON object,
/// every 50th a refusal, every 100th a failed request (HTTP 500, fewer readings), and the timestamps spread over
/// the hour before <c>now</c>, so the batch lands in about 60 minute buckets. <see cref="Record"/> is the one fixed
/// sample <c>tests/Gateway.Benchmarks</c> scores (its project links this file: one source for both).
/// </summary>
internal static class EvaluatorSamples
{
    public const string Prompt = "lt-support";
    public const string Model = "gpt-4o-mini";
    public const string Environment = "production";

    /// <summary>The bundle's six non-judge assertions: is-json, contains, regex, not-is-refusal, toxicity, output-tokens.</summary>
    public const string AssertionsJson = """
        [
          {"type": "is-json", "metric": "format"},
          {"type": "contains", "value": "refund", "metric": "mentions_refund"},
          {"type": "regex", "value": "order\\s+#?\\d{6,}", "metric": "cites_order"},
          {"type": "not-is-refusal", "metric": "answered"},
          {"type": "toxicity", "metric": "toxic"},
          {"type": "output-tokens", "threshold": 600, "metric": "short_enough"}
        ]
        """;

    private const string System = "You are Acme's support agent. Answer in English. Be brief, polite and precise; never promise a refund you cannot see in the order.";

    private static readonly string[] Turns =
    [
        "Hi, my order #4471902 was supposed to arrive on Monday and the tracking page still says it is in the warehouse. Can you tell me what is going on?",
        "I am sorry about the wait. I can see order #4471902: it left our warehouse this morning after a stock delay, and the carrier expects to deliver it on Thursday.",
        "Thursday is too late, I needed it for a birthday on Wednesday. Can I cancel it and get a refund, or can you send it faster? What are my options here?",
    ];

    private static readonly string[] Sentences =
    [
        "I completely understand, and I am sorry the delay puts the birthday at risk.",
        "Your order #4471902 has already been handed to the carrier, so it can no longer be cancelled from our side.",
        "What I can do is upgrade the delivery to next-day express at no cost to you, which would bring it to you on Wednesday before noon.",
        "If it still arrives after Wednesday, you can refuse the parcel at the door or return it unopened within 30 days for a full refund to your original payment method.",
        "The refund is issued as soon as the parcel reaches our returns centre, and your bank usually shows it within three to five working days.",
        "I have also added a note to your account so that anyone you talk to next can see what we agreed.",
        "Would you like me to go ahead with the express upgrade now? You will get a new tracking link by email within the hour.",
        "If you prefer a different solution, such as a gift card you can send today, just let me know and I will arrange it.",
        "Express upgrades are free for delayed orders, so there is nothing extra to pay and no form to fill in.",
        "Once the new tracking link arrives, the status should change to out for delivery early on Wednesday morning.",
    ];

    private const string Refusal = "I'm sorry, but I can't help with cancelling orders that have already shipped. Please contact the carrier directly.";

    /// <summary>Sample <paramref name="index"/> of <paramref name="count"/>, timed within the hour before <paramref name="now"/>.</summary>
    public static SampleRecord Create(int index, int count, DateTimeOffset now)
    {
        var at = now.AddSeconds(-3600 + (3600.0 * index / Math.Max(count, 1)));
        var canary = index % 10 == 9;
        var failed = index % 100 == 42;
        var text = failed ? null : index % 50 == 7 ? Refusal : Answer(index, json: index % 5 == 0);
        var response = text is null
            ? new SampleResponse { Status = 500, Error = "upstream returned 500", Streamed = true, Complete = false }
            : Answered(text);

        var outputTokens = text is null ? 0 : text.Length / 4;
        return Sample(SampleIds.New(at), $"req_{index:x32}", at, $"customer-{index % 997:x4}", response) with
        {
            Prompt = Prompt,
            Version = canary ? 2 : 1,
            Variant = canary ? Variants.Canary : Variants.Stable,
            Usage = new AccountingRecord(Model, 412, 0, outputTokens, 0, AccountingRecord.Reported, (412 * 0.00000015m) + (outputTokens * 0.0000006m), failed ? null : "stop", 380 + (index % 90), "gpt-4o-mini-2024-07-18"),
            LatencyMs = 1200 + (index % 1700),
            TimeToFirstTokenMs = 380 + (index % 90),
        };
    }

    /// <summary>
    /// The benchmarks' one sample (<c>tests/Gateway.Benchmarks/Behaviour</c>, which compiles this file too):
    /// <c>prompt:support-bot</c> v3, stable, the <see cref="AnswerText"/> answer, fixed usage and timings.
    /// </summary>
    public static SampleRecord Record(bool jsonAnswer, DateTimeOffset at) =>
        Sample(SampleIds.New(at), "req_6f1c2a9e3b7d4e58a0c4d2b19f7e8a63", at, "customer-81f2", Answered(AnswerText(jsonAnswer))) with
        {
            Prompt = "support-bot",
            Version = 3,
            Variant = Variants.Stable,
            Usage = new AccountingRecord(Model, 412, 0, 356, 0, AccountingRecord.Reported, 0.0002754m, "stop", 412.5, "gpt-4o-mini-2024-07-18"),
            LatencyMs = 2318.4,
            TimeToFirstTokenMs = 412.5,
        };

    /// <summary>The benchmarks' answer: about 1.5 KB of prose, or the same prose as the <c>reply</c> of a JSON object.</summary>
    public static string AnswerText(bool json)
    {
        var prose = string.Join(' ', Sentences[..8]) + "\n\n" + string.Join(' ', Sentences[..4]);
        if (!json)
        {
            return prose;
        }

        var reply = Reply(prose);
        reply["escalate"] = false;
        return reply.ToJsonString();
    }

    // 1-2 KB: eight to fourteen sentences, starting at a rotating one; the JSON form carries the same text in "reply".
    private static string Answer(int index, bool json)
    {
        var sentences = 8 + (index % 7);
        var prose = string.Join(' ', Enumerable.Range(0, sentences).Select(i => Sentences[(index + i) % Sentences.Length]));
        return json ? Reply(prose).ToJsonString() : prose;
    }

    private static JsonObject Reply(string prose) => new()
    {
        ["reply"] = prose,
        ["order_number"] = "4471902",
        ["actions"] = new JsonArray("offer_express_upgrade", "explain_refund"),
        ["refund_eligible"] = true,
    };

    private static SampleResponse Answered(string text) =>
        new() { Status = 200, Text = text, FinishReason = "stop", Model = "gpt-4o-mini-2024-07-18", Streamed = true, Complete = true };

    /// <summary>What every sample shares: the conversation, its rendered request and where it was served; the caller adds the prompt, usage and timings.</summary>
    private static SampleRecord Sample(string id, string requestId, DateTimeOffset at, string user, SampleResponse response)
    {
        var messages = new JsonArray();
        for (var i = 0; i < Turns.Length; i++)
        {
            messages.Add(new JsonObject { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = Turns[i] });
        }

        var request = new JsonObject
        {
            ["model"] = Model,
            ["messages"] = new JsonArray([new JsonObject { ["role"] = "system", ["content"] = System }, .. messages.Select(m => m!.DeepClone())]),
            ["temperature"] = 0.2,
            ["max_tokens"] = 400,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["user"] = user,
        };

        return new SampleRecord
        {
            Id = id,
            RequestId = requestId,
            Timestamp = at,
            Reason = SampleReasons.Rate,
            Environment = Environment,
            Model = Model,
            Provider = "openai",
            KeyId = "key_7f3a9c2e41b8",
            Endpoint = "/v1/chat/completions",
            Input = new SampleInput
            {
                Messages = messages,
                Variables = new JsonObject { ["company"] = "Acme", ["language"] = "English" },
            },
            Request = request,
            Response = response,
        };
    }
}
