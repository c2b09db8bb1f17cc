namespace LlmGateway.Routing;

/// <summary>Request and response headers of prompt addressing.</summary>
internal static class PromptHeaders
{
    /// <summary>Request: serve this exact version (keys with the <c>pin</c> permission).</summary>
    public const string PinVersion = "X-Prompt-Version";

    /// <summary>Request: the stickiness key, when the app has a session.</summary>
    public const string SessionId = "X-Session-Id";

    public const string Name = "X-Prompt-Name";
    public const string Version = "X-Prompt-Version";
    public const string Variant = "X-Prompt-Variant";
}
