using System.Text.Json;
using LlmGateway.Benchmarks.Proxy;

namespace LlmGateway.Benchmarks.Rewriting;

/// <summary>
/// Deterministic <c>/v1/chat/completions</c> bodies that ask for a prompt bundle
/// (<c>"model":"prompt:support-bot"</c>), written like <see cref="ChatBodies"/>: compact JSON,
/// escaped quotes, newlines, tabs and backslashes, non-ASCII as <c>\uXXXX</c>. A conversation of
/// alternating user/assistant turns, ending on a user question, is grown to the requested size.
/// </summary>
internal static class PromptBodies
{
    /// <summary>The prompt every body asks for.</summary>
    public const string Prompt = "support-bot";

    /// <summary>The <c>model</c> of every body.</summary>
    public const string Model = "prompt:" + Prompt;

    /// <summary>The <c>company</c> prompt variable: a quote, an ampersand and non-ASCII.</summary>
    public const string Company = "Caf\u00e9 \"Lumi\u00e8re\" & Co";

    /// <summary>The <c>language</c> prompt variable.</summary>
    public const string Language = "fran\u00e7ais";

    /// <summary>The client's <c>temperature</c> (the bundle lets the client override its own).</summary>
    public const double Temperature = 0.7;

    /// <summary>The client's <c>user</c>.</summary>
    public const string User = "user-1234";

    // Short enough that even the 1 KB body is a conversation (question, answer, follow-up).
    private const int UserChars = 100;
    private const int AssistantChars = 300;
    private const int QuestionChars = 60;

    /// <summary>The smallest body of at least <paramref name="targetBytes"/> bytes (overshooting by a sentence or so of the final question).</summary>
    public static byte[] Create(int targetBytes)
    {
        // Whole user/assistant exchanges first, as many as fit (an estimate, then corrected:
        // the exchanges differ in size)...
        var empty = Build(0, QuestionChars).Length;
        var perExchange = Build(1, QuestionChars).Length - empty;
        var exchanges = Math.Max(0, (targetBytes - empty) / perExchange);
        while (exchanges > 0 && Build(exchanges, QuestionChars).Length > targetBytes)
        {
            exchanges--;
        }

        while (Build(exchanges + 1, QuestionChars).Length <= targetBytes)
        {
            exchanges++;
        }

        // ...then the final question grows, a sentence at a time, to reach the target.
        var question = QuestionChars;
        byte[] body;
        while ((body = Build(exchanges, question)).Length < targetBytes)
        {
            question += 40;
        }

        return body;
    }

    private static byte[] Build(int exchanges, int questionChars) => ChatBodies.Write(writer =>
    {
        writer.WriteString("model", Model);
        writer.WriteStartArray("messages");
        for (var turn = 0; turn < exchanges; turn++)
        {
            ChatBodies.Message(writer, "user", ChatBodies.Text(UserChars, (2 * turn) + 1));
            ChatBodies.Message(writer, "assistant", ChatBodies.Text(AssistantChars, (2 * turn) + 2));
        }

        ChatBodies.Message(writer, "user", ChatBodies.Text(questionChars, (2 * exchanges) + 1));
        writer.WriteEndArray();
        writer.WriteNumber("temperature", Temperature);
        writer.WriteString("user", User);

        // SDKs send extra fields (OpenAI's extra_body) after their own.
        writer.WriteStartObject("prompt_variables");
        writer.WriteString("company", Company);
        writer.WriteString("language", Language);
        writer.WriteEndObject();
    });

    /// <summary>How many messages the body's conversation has.</summary>
    public static int MessageCount(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("messages").GetArrayLength();
    }
}
