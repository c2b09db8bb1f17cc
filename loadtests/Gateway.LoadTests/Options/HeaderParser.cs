namespace LlmGateway.LoadTests.Options;

/// <summary>
/// <c>--header name:value</c>. Refused here, before any request is sent: malformed names, multi-line values, and the
/// headers the tool owns itself, so a typo fails the command line rather than the middle of a run.
/// </summary>
internal static class HeaderParser
{
    // Headers the tool owns: --key sets Authorization, and the framing headers belong to HttpClient.
    private static readonly string[] ReservedHeaders = ["authorization", "host", "connection", "transfer-encoding"];

    public static KeyValuePair<string, string> Parse(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? string.Empty : value[..colon].Trim();
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            throw new UsageException($"--header must look like name:value (e.g. x-mock-chunks:20), got '{value}'.");
        }

        var headerValue = value[(colon + 1)..].Trim();
        if (headerValue.Contains('\r', StringComparison.Ordinal) || headerValue.Contains('\n', StringComparison.Ordinal))
        {
            throw new UsageException($"--header {name}: the value must be on one line.");
        }

        var lower = name.ToLowerInvariant();
        if (ReservedHeaders.Contains(lower, StringComparer.Ordinal) || lower.StartsWith("content-", StringComparison.Ordinal))
        {
            var hint = lower == "authorization" ? " Use --key for the API key." : string.Empty;
            throw new UsageException($"--header {name} is set by the tool itself.{hint}");
        }

        // Asks HttpClient itself, so a header it would refuse fails here rather than in the middle of a run.
        using var probe = new HttpRequestMessage();
        if (!probe.Headers.TryAddWithoutValidation(name, headerValue))
        {
            throw new UsageException($"--header {name} cannot be sent as a request header.");
        }

        return new(name, headerValue);
    }

    // RFC 9110 token characters: what a header name may contain.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
