using System.Text;

namespace LlmGateway.Benchmarks.Streaming;

/// <summary>
/// A deterministic recorded <c>/v1/chat/completions</c> stream as OpenAI sends it with
/// <c>stream_options.include_usage</c>: a role chunk, 200 content chunks of one to four words
/// (some French, Japanese or an emoji as raw UTF-8, some with <c>\n</c> escapes), a finish chunk,
/// the usage-only chunk (<c>"choices":[]</c>) and <c>[DONE]</c>, each event followed by a blank line.
/// Also a non-streamed <c>chat.completion</c> body of about 1 KB.
/// </summary>
internal static class ChatStreams
{
    public const string Model = "gpt-4o-mini-2024-07-18";
    public const int ContentChunks = 200;
    public const int PromptTokens = 1342;
    public const int CompletionTokens = 412;
    public const int CachedTokens = 1024;

    private const string Prefix =
        "data: {\"id\":\"chatcmpl-Ah7kZp3Qx9WmV2rT5yLn8cB4dF6gJ\",\"object\":\"chat.completion.chunk\",\"created\":1764403200,"
        + "\"model\":\"" + Model + "\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_560af6e559\",\"choices\":[";

    private static readonly string[] Words =
    [
        "The", "gateway", "forwards", "each", "request", "to", "the", "provider", "and", "streams", "the", "answer",
        "back", "while", "it", "counts", "tokens", "for", "billing.", "Voilà", "le", "résumé", "demandé:", "les",
        "coûts", "sont", "calculés", "après", "coup.", "日本語の", "テキストも", "正しく", "数えます。", "Done", "🎉",
        "In", "short,", "nothing", "is", "buffered", "beyond", "one", "line", "of", "the", "event", "stream.",
    ];

    /// <summary>The stream as one buffer, and the text the content chunks carry, unescaped.</summary>
    public static (byte[] Stream, string Text, string UsageLine, string ContentLine) CreateStream()
    {
        var sse = new StringBuilder(80 * 1024);
        var text = new StringBuilder(4 * 1024);
        string contentLine = "", usageLine = "";

        sse.Append(Prefix).Append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");

        var word = 0;
        for (var i = 0; i < ContentChunks; i++)
        {
            var piece = new StringBuilder();
            for (var n = 0; n < 1 + (i % 4); n++)
            {
                piece.Append(word == 0 && i == 0 ? "" : " ").Append(Words[word % Words.Length]);
                word++;
            }

            // Every 25th chunk ends a paragraph, as Markdown answers do.
            var escaped = piece.ToString();
            var plain = escaped;
            if (i % 25 == 24)
            {
                escaped += "\\n\\n";
                plain += "\n\n";
            }

            text.Append(plain);
            var line = Prefix + "{\"index\":0,\"delta\":{\"content\":\"" + escaped + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}";
            if (i == 10)
            {
                contentLine = line + "\n";
            }

            sse.Append(line).Append("\n\n");
        }

        sse.Append(Prefix).Append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        usageLine = Prefix + "],\"usage\":{\"prompt_tokens\":" + PromptTokens + ",\"completion_tokens\":" + CompletionTokens
            + ",\"total_tokens\":" + (PromptTokens + CompletionTokens)
            + ",\"prompt_tokens_details\":{\"cached_tokens\":" + CachedTokens + ",\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n";
        sse.Append(usageLine).Append('\n');
        sse.Append("data: [DONE]\n\n");

        return (Encoding.UTF8.GetBytes(sse.ToString()), text.ToString(), usageLine, contentLine);
    }

    /// <summary>A non-streamed <c>chat.completion</c> response of about 1 KB, and its message content.</summary>
    public static (byte[] Body, string Content) CreateBody()
    {
        const string content =
            "Here is the summary you asked for:\\n\\n1. The gateway forwards each request to the provider and streams the answer back.\\n"
            + "2. It counts tokens for billing from the provider's usage object, or estimates them when none is sent.\\n"
            + "3. Voilà: les coûts sont calculés après coup, et 日本語のテキストも正しく数えます。\\n\\n"
            + "Let me know if you need the \\\"per-tenant\\\" breakdown as well.";
        var body =
            "{\"id\":\"chatcmpl-Ah7kZp3Qx9WmV2rT5yLn8cB4dF6gJ\",\"object\":\"chat.completion\",\"created\":1764403200,"
            + "\"model\":\"" + Model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
            + "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":" + PromptTokens + ",\"completion_tokens\":" + CompletionTokens + ",\"total_tokens\":" + (PromptTokens + CompletionTokens)
            + ",\"prompt_tokens_details\":{\"cached_tokens\":" + CachedTokens + ",\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_560af6e559\"}";
        var plain = content.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal);
        return (Encoding.UTF8.GetBytes(body), plain);
    }
}
