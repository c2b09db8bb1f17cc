namespace LlmGateway.Providers;

/// <summary>
/// Published output-token limits of known model families, so a catalog entry without
/// <c>MaxOutputTokens</c> still has an honest upper bound. Longest prefix wins.
/// </summary>
internal static class OutputLimits
{
    /// <summary>For a model no family matches: large enough for any chat model we know of, small enough to bound a reservation.</summary>
    public const int UnknownModelDefault = 16_384;

    private static readonly (string Prefix, int Limit)[] Families =
    [
        ("gpt-4.1", 32_768),
        ("gpt-4.5", 16_384),
        ("gpt-4o", 16_384),
        ("gpt-4-turbo", 4_096),
        ("gpt-4", 8_192),
        ("gpt-3.5-turbo", 4_096),
        ("gpt-5", 128_000),
        ("o1", 100_000),
        ("o3", 100_000),
        ("o4", 100_000),
        ("codex-mini", 100_000),
        ("text-embedding", 1),
    ];

    public static int For(string upstreamModel) => ModelFamilies.Lookup(Families, upstreamModel, UnknownModelDefault);
}
