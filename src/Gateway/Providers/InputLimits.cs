namespace LlmGateway.Providers;

/// <summary>
/// Published context windows (input tokens) of known model families, so a catalog entry without <c>MaxInputTokens</c>
/// still bounds what a request continuing state the provider keeps (a Responses <c>previous_response_id</c> or
/// <c>conversation</c>) can make it read. Longest prefix wins.
/// </summary>
internal static class InputLimits
{
    /// <summary>For a model no family matches: the context window of gpt-4o and most chat models we know of.</summary>
    public const int UnknownModelDefault = 128_000;

    private static readonly (string Prefix, int Limit)[] Families =
    [
        ("gpt-4.1", 1_047_576),
        ("gpt-4.5", 128_000),
        ("gpt-4o", 128_000),
        ("chatgpt-4o", 128_000),
        ("gpt-4-turbo", 128_000),
        ("gpt-4-0125", 128_000),
        ("gpt-4-1106", 128_000),
        ("gpt-4-vision", 128_000),
        ("gpt-4-32k", 32_768),
        ("gpt-4", 8_192),
        ("gpt-3.5-turbo", 16_385),
        ("gpt-5", 272_000),
        ("o1", 200_000),
        ("o3", 200_000),
        ("o4", 200_000),
        ("codex-mini", 200_000),
        ("text-embedding", 8_192),
    ];

    public static int For(string upstreamModel) => ModelFamilies.Lookup(Families, upstreamModel, UnknownModelDefault);
}
