namespace LlmGateway.Auth;

/// <summary>
/// The shapes of the secrets the gateway issues (gateway keys, admin tokens). A value of that shape where an id belongs
/// (a revoke's path) is someone's secret: it is refused, never echoed, audited or traced.
/// </summary>
internal static class IssuedSecrets
{
    public const string Masked = "<secret>";

    public static bool IsSecretShaped(ReadOnlySpan<char> value) => Contracts.Keys.SecretPrefixes.IsSecretShaped(value);

    public static bool ContainsSecret(ReadOnlySpan<char> text) =>
        text.Contains(GatewayKeySecret.Prefix, StringComparison.Ordinal) || text.Contains(AdminTokenSecret.Prefix, StringComparison.Ordinal);
}
