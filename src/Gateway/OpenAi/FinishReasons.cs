namespace LlmGateway.OpenAi;

/// <summary>The finish reasons and terminal statuses providers send, as shared strings: one is read per response.</summary>
internal static class FinishReasons
{
    private static readonly string[] Known =
    [
        "stop", "length", "tool_calls", "content_filter", "function_call",
        "completed", "incomplete", "failed", "cancelled", "max_output_tokens",
    ];

    public static string Get(ReadOnlySpan<char> reason)
    {
        foreach (var known in Known)
        {
            if (reason.SequenceEqual(known))
            {
                return known;
            }
        }

        return new string(reason);
    }
}
