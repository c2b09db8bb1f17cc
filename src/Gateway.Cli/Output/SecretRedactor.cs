namespace LlmGateway.Cli.Output;

/// <summary>
/// Replaces the admin token with <c>***</c> in anything we print. We never format the token into a
/// message ourselves; this is the belt to those braces, in case a server or library echoes it back.
/// </summary>
internal sealed class SecretRedactor(IEnumerable<string?> secrets)
{
    public const string Mask = "***";

    // Very short values would mask ordinary words; a real token is never this short.
    private const int MinimumSecretLength = 4;

    private readonly string[] secrets = [.. secrets
        .Where(s => s is { Length: >= MinimumSecretLength })
        .Select(s => s!.Trim())
        .Distinct(StringComparer.Ordinal)
        .OrderByDescending(s => s.Length)];

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
