namespace LlmGateway.Auth;

/// <summary>Permissions a gateway key can carry beyond calling the OpenAI-compatible API.</summary>
internal static class GatewayKeyPermissions
{
    /// <summary>May pin a prompt version with <c>X-Prompt-Version</c> (evaluation runs).</summary>
    public const string Pin = "pin";

    /// <summary>May force a sample with a debug header.</summary>
    public const string Debug = "debug";

    /// <summary>May read a prompt's bundle (its templates) with <c>GET /v1/prompts/{name}/resolve</c>.</summary>
    public const string Resolve = "resolve";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Pin, Debug, Resolve };
}
