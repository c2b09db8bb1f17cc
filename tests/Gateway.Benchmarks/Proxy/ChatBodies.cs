using System.Text;
using System.Text.Json;

namespace LlmGateway.Benchmarks.Proxy;

/// <summary>
/// Deterministic, realistic <c>/v1/chat/completions</c> bodies, written the way client SDKs
/// write them: compact JSON, non-ASCII escaped as <c>\uXXXX</c>, newlines and quotes escaped.
/// </summary>
internal static class ChatBodies
{
    /// <summary>The public model name every body asks for.</summary>
    public const string Model = "gpt-4o-mini";

    private static readonly string[] Sentences =
    [
        "The gateway forwards each request to the provider that serves the model.",
        "Retries replay the buffered body, so the client is never read twice.",
        "Can you explain why the \"model\" field is rewritten before forwarding?",
        "Latency at the 99th percentile matters more than the mean for interactive chat.",
        "Here is the stack trace:\n  at Gateway.Proxy.Forward()\n  at Gateway.Program.Main()",
        "Caf\u00e9 r\u00e9sum\u00e9 na\u00efve \u2014 les donn\u00e9es sont encod\u00e9es en UTF-8.",
        "Use `var reader = new Utf8JsonReader(span);` and loop while reader.Read() returns true.",
        "Tokens are counted per model; the tokenizer for gpt-4o is o200k_base.",
        "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3082\u542b\u307e\u308c\u307e\u3059\u3002",
        "Tab\tseparated\tvalues\tand a backslash \\ show up in pasted logs.",
        "Summarise the document above in five bullet points, keeping numbers exact.",
        "The quick brown fox jumps over the lazy dog \U0001F98A while the cache warms up.",
    ];

    public static byte[] Create(BodySize size) => size switch
    {
        BodySize.Small => Small(),
        BodySize.Medium => Medium(),
        BodySize.Large => Large(),
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };

    private static byte[] Small() => Write(writer =>
    {
        writer.WriteString("model", Model);
        writer.WriteStartArray("messages");
        Message(writer, "user", "What is the difference between a reverse proxy and an API gateway? Answer in two short paragraphs, and give one example of each that a small team could run on a single machine.");
        writer.WriteEndArray();
        writer.WriteNumber("temperature", 0.7);
        writer.WriteBoolean("stream", false);
    });

    private static byte[] Medium() => Write(writer =>
    {
        writer.WriteString("model", Model);
        writer.WriteStartArray("messages");
        Message(writer, "system", Text(700, 0));
        for (var turn = 0; turn < 20; turn++)
        {
            Message(writer, turn % 2 == 0 ? "user" : "assistant", Text(turn % 2 == 0 ? 120 : 360, turn + 1));
        }

        writer.WriteEndArray();
        Options(writer);
    });

    private static byte[] Large() => Write(writer =>
    {
        writer.WriteString("model", Model);
        writer.WriteStartArray("messages");
        Message(writer, "system", Text(1200, 0));
        Message(writer, "user", "Here is the document:\n\n" + Text(218_500, 7));
        Message(writer, "assistant", Text(2000, 3));
        Message(writer, "user", Text(300, 10));
        writer.WriteEndArray();
        Options(writer);
    });

    private static void Options(Utf8JsonWriter writer)
    {
        writer.WriteNumber("temperature", 0.2);
        writer.WriteNumber("max_tokens", 1024);
        writer.WriteBoolean("stream", true);
        writer.WriteStartObject("stream_options");
        writer.WriteBoolean("include_usage", true);
        writer.WriteEndObject();
        writer.WriteString("user", "user-1234");
    }

    internal static void Message(Utf8JsonWriter writer, string role, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role);
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }

    // About `chars` characters of prose, cycling through the sentences from `seed`.
    internal static string Text(int chars, int seed)
    {
        var text = new StringBuilder(chars + 200);
        for (var i = seed; text.Length < chars; i++)
        {
            text.Append(Sentences[i % Sentences.Length]);
            text.Append(i % 5 == 4 ? "\n\n" : " ");
        }

        return text.ToString();
    }

    internal static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
