using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Benchmarks.Rewriting;

namespace LlmGateway.Benchmarks.Sampling;

/// <summary>
/// Deterministic inputs for the sampling benchmarks: a short-chunk chat stream (one SSE event per
/// write, as the tap sees them), about 2 KB of plain English prose with and without personal data,
/// a ten-message chat request, and a ~4 KB streamed prompt request with the body the gateway
/// forwards for it.
/// </summary>
internal static class SampleData
{
    public const string Model = "gpt-4o-mini";
    public const string ResponseModel = "gpt-4o-mini-2024-07-18";
    public const int PromptTokens = 1342;
    public const int CompletionTokens = 412;

    /// <summary>The personal data <see cref="ProseWithPersonalData"/> carries: one of each kind.</summary>
    public const string Email = "alice.martin@example.com";
    public const string Phone = "+44 20 7946 0958";
    public const string Card = "4111 1111 1111 1111";

    // As OpenAI frames a chunk (minus system_fingerprint and logprobs): a content event of one to three words is 195-215 bytes.
    private const string Prefix =
        "data: {\"id\":\"chatcmpl-Ah7kZp3Qx9Wm\",\"object\":\"chat.completion.chunk\",\"created\":1764403200,"
        + "\"model\":\"" + ResponseModel + "\",\"choices\":[";

    private static readonly string[] Words =
    [
        "The", "gateway", "forwards", "each", "request", "to", "the", "provider", "and", "streams", "the", "answer",
        "back", "while", "it", "counts", "tokens", "for", "billing.", "Nothing", "is", "buffered", "beyond", "one",
        "line", "of", "the", "event", "stream,", "and", "a", "sampled", "request", "keeps", "a", "capped", "copy.",
    ];

    private static readonly string[] Sentences =
    [
        "Thank you for getting back to me so quickly about the delayed order.",
        "I placed it on a Monday morning and the confirmation said it would arrive within a week.",
        "Since then the tracking page has shown the same status without any change at all.",
        "Could you check whether the parcel left the warehouse, or whether it is still waiting for a courier?",
        "If it has been lost, I would rather have a replacement than a refund, because the item was a gift.",
        "The person it is for is travelling soon, so the timing matters more than the cost.",
        "I also noticed that the invoice lists a different delivery option from the one I chose at checkout.",
        "Please let me know whether that explains the delay, and whether anything needs to change on my side.",
        "I have been a customer for several years and this is the first time something like this has happened.",
        "Your support team has always been helpful, so I am sure we can sort it out together.",
        "In the meantime, could you tell me how long a replacement would take to reach me?",
        "I am happy to answer any questions about the order if that helps you find it.",
    ];

    /// <summary>
    /// A chat stream of <paramref name="contentChunks"/> content events between a role event and a finish
    /// event, then (with <paramref name="usageChunk"/>) the usage-only event and <c>[DONE]</c>: one array
    /// per event, as the provider's writes reach the tap, and the text the content events carry.
    /// </summary>
    public static (byte[][] Events, string Text) CreateEvents(int contentChunks, bool usageChunk)
    {
        var events = new List<string>(contentChunks + 4)
        {
            Prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
        };
        var text = new StringBuilder();
        var word = 0;
        for (var i = 0; i < contentChunks; i++)
        {
            var piece = new StringBuilder();
            for (var n = 0; n < 1 + (i % 3); n++)
            {
                piece.Append(word == 0 ? "" : " ").Append(Words[word % Words.Length]);
                word++;
            }

            text.Append(piece);
            events.Add(Prefix + "{\"index\":0,\"delta\":{\"content\":\"" + piece + "\"},\"finish_reason\":null}]}\n\n");
        }

        events.Add(Prefix + "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        if (usageChunk)
        {
            events.Add(Prefix + "],\"usage\":{\"prompt_tokens\":" + PromptTokens + ",\"completion_tokens\":" + CompletionTokens
                + ",\"total_tokens\":" + (PromptTokens + CompletionTokens) + "}}\n\n");
        }

        events.Add("data: [DONE]\n\n");
        return ([.. events.Select(Encoding.UTF8.GetBytes)], text.ToString());
    }

    /// <summary>Whole sentences of a customer's message, no digits, no personal data, to about <paramref name="chars"/> characters.</summary>
    public static string Prose(int chars, int seed = 0)
    {
        var text = new StringBuilder(chars + 128);
        for (var i = seed; text.Length < chars; i++)
        {
            text.Append(text.Length == 0 ? "" : " ").Append(Sentences[i % Sentences.Length]);
        }

        return text.ToString();
    }

    /// <summary><see cref="Prose"/> with an email address, a phone number and a card number in sentences of their own.</summary>
    public static string ProseWithPersonalData(int chars)
    {
        var prose = Prose(chars - 200);
        var third = prose.Length / 3;
        var first = prose.IndexOf(". ", third, StringComparison.Ordinal) + 2;
        var second = prose.IndexOf(". ", 2 * third, StringComparison.Ordinal) + 2;
        return prose[..first]
            + "You can reach me at " + Email + " or on " + Phone + " during the day. "
            + prose[first..second]
            + "The order was paid with the card ending in the number " + Card + ", if that helps. "
            + prose[second..];
    }

    /// <summary>
    /// A <c>/v1/chat/completions</c> request of <paramref name="messages"/> messages (a system prompt, then
    /// alternating user/assistant turns of 150-400 characters), the third user turn carrying an email address.
    /// </summary>
    public static byte[] ChatRequest(int messages) => Write(writer =>
    {
        writer.WriteString("model", Model);
        writer.WriteStartArray("messages");
        Message(writer, "system", "You are the support assistant of an online shop. Be brief, polite and precise, and never promise a refund.");
        for (var i = 1; i < messages; i++)
        {
            var user = i % 2 == 1;
            var content = Prose(user ? 150 : 400, i);
            if (i == 5)
            {
                content += " My address for the receipt is " + Email + ".";
            }

            Message(writer, user ? "user" : "assistant", content);
        }

        writer.WriteEndArray();
        writer.WriteNumber("temperature", 0.2);
        writer.WriteNumber("max_tokens", 400);
        writer.WriteString("user", "user-1234");
    });

    /// <summary>
    /// A streamed prompt request of about <paramref name="targetBytes"/> (<see cref="PromptBodies"/> plus
    /// <c>stream: true</c>) and the body the gateway forwards for it: the catalog model, the rendered
    /// system message first, the bundle's <c>max_tokens</c>, <c>include_usage</c>, no <c>prompt_variables</c>.
    /// </summary>
    public static (byte[] Client, byte[] Upstream) PromptRequest(int targetBytes)
    {
        var client = JsonNode.Parse(PromptBodies.Create(targetBytes))!.AsObject();
        client["stream"] = true;

        var upstream = client.DeepClone().AsObject();
        upstream["model"] = Model;
        upstream.Remove("prompt_variables");
        upstream["messages"]!.AsArray().Insert(0, new JsonObject
        {
            ["role"] = "system",
            ["content"] = "You are " + PromptBodies.Company + "'s support agent. Answer in " + PromptBodies.Language + ".",
        });
        upstream["max_tokens"] = 400;
        upstream["stream_options"] = new JsonObject { ["include_usage"] = true };

        return (JsonSerializer.SerializeToUtf8Bytes(client), JsonSerializer.SerializeToUtf8Bytes(upstream));
    }

    private static void Message(Utf8JsonWriter writer, string role, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role);
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
