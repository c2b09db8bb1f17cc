using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Accounting;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Serialization;

namespace LlmGateway.Benchmarks.Behaviour;

/// <summary>
/// What an evaluator reads from the queue: one stored sample of <c>prompt:support-bot</c> v3 as the sample writer
/// leaves it (a rendered four-message request, the application's three messages and two variables, a complete
/// streamed answer of about 1.5 KB with usage, cost, latency and time to first token), in prose or as a JSON
/// object, and the bundle's <c>online_eval</c> block of six non-judge assertions, read through
/// <see cref="OnlineEvalPlan.Read"/> as a push is.
/// </summary>
internal static class EvaluatorSamples
{
    public const string Prompt = "support-bot";
    public const string Model = "gpt-4o-mini";

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
    ];

    /// <summary>The six assertions: is-json, contains, regex, not-is-refusal, toxicity and output-tokens with a threshold.</summary>
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

    /// <summary>The answer's text: about 1.5 KB of prose, or the same prose as the <c>reply</c> of a JSON object.</summary>
    public static string AnswerText(bool json)
    {
        var prose = string.Join(' ', Sentences) + "\n\n" + string.Join(' ', Sentences[..4]);
        if (!json)
        {
            return prose;
        }

        var reply = new JsonObject
        {
            ["reply"] = prose,
            ["order_number"] = "4471902",
            ["actions"] = new JsonArray("offer_express_upgrade", "explain_refund"),
            ["refund_eligible"] = true,
            ["escalate"] = false,
        };
        return reply.ToJsonString();
    }

    /// <summary>One sample record, as <c>SampleBuilder</c> produces it (nothing redacted, nothing cut).</summary>
    public static SampleRecord Record(bool jsonAnswer, DateTimeOffset at, string? id = null)
    {
        var messages = new JsonArray();
        for (var i = 0; i < Turns.Length; i++)
        {
            messages.Add(new JsonObject { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = Turns[i] });
        }

        var request = new JsonObject
        {
            ["model"] = Model,
            ["messages"] = new JsonArray(
                [new JsonObject { ["role"] = "system", ["content"] = System }, .. messages.Select(m => m!.DeepClone())]),
            ["temperature"] = 0.2,
            ["max_tokens"] = 400,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["user"] = "customer-81f2",
        };

        return new SampleRecord
        {
            Id = id ?? SampleIds.New(at),
            RequestId = "req_6f1c2a9e3b7d4e58a0c4d2b19f7e8a63",
            Timestamp = at,
            Reason = SampleReasons.Rate,
            Environment = "production",
            Prompt = Prompt,
            Version = 3,
            Variant = Variants.Stable,
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
            Response = new SampleResponse
            {
                Status = 200,
                Text = AnswerText(jsonAnswer),
                FinishReason = "stop",
                Model = "gpt-4o-mini-2024-07-18",
                Streamed = true,
                Complete = true,
            },
            Usage = new AccountingRecord(Model, 412, 0, 356, 0, AccountingRecord.Reported, 0.0002754m, "stop", 412.5, "gpt-4o-mini-2024-07-18"),
            LatencyMs = 2318.4,
            TimeToFirstTokenMs = 412.5,
        };
    }

    /// <summary>The record as the store holds it (the sample writer's serialisation).</summary>
    public static byte[] Json(SampleRecord record) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, GatewayJsonContext.Default.SampleRecord));

    /// <summary>The six-assertion plan, read as the evaluator reads a version's bundle (throws if the block is refused).</summary>
    public static OnlineEvalPlan SixAssertionPlan()
    {
        using var document = JsonDocument.Parse(AssertionsJson);
        var block = new PromptOnlineEval { Assert = [.. document.RootElement.EnumerateArray().Select(e => e.Clone())] };
        var catalog = new ModelCatalog(new CatalogOptions
        {
            Providers = { ["openai"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" } },
            Models = { [Model] = new CatalogModelOptions { Provider = "openai" } },
        });
        var errors = new List<FieldError>();
        var plan = OnlineEvalPlan.Read(block, catalog, errors);
        if (plan is null || plan.Assertions.Count != 6 || plan.NeedsJudge)
        {
            throw new InvalidOperationException($"The plan does not read: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}");
        }

        return plan;
    }
}
