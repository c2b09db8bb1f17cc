namespace LlmGateway.Providers;

/// <summary>
/// Which headers cross the gateway by default, and which never do. Requests to a provider carry only what the model
/// call needs; responses carry back only what describes the body. Anything else (the client's cookies and session,
/// proxy and forwarding headers, the gateway's own headers; the provider's cookies, account, organisation and
/// rate-limit headers) stays on its side unless a provider's configuration names it
/// (<see cref="ProviderOptions.ForwardRequestHeaders"/>, <see cref="ProviderOptions.ReturnResponseHeaders"/>), and a
/// name listed here as never forwarded or returned cannot be named at all.
/// </summary>
internal static class ProviderHeaders
{
    /// <summary>
    /// Request headers forwarded to every provider. <c>Accept-Encoding</c> is never forwarded: the gateway must read
    /// the response (usage, the usage chunk, samples) and does not decompress it, so it asks every provider for
    /// <c>identity</c> itself (<see cref="ProviderRequestTransform"/>).
    /// </summary>
    public static readonly string[] DefaultRequest =
    [
        "Content-Type",
        "Content-Length",
        "Accept",
        "User-Agent",
        "OpenAI-Beta",
    ];

    /// <summary>
    /// Request headers never forwarded, whatever is configured: credentials (the provider's own are injected), the
    /// account headers that pick which of the operators' OpenAI organisations and projects is billed, cookies,
    /// connection and framing headers, forwarding headers a client could forge, and the gateway's own. A trailing
    /// <c>*</c> is a prefix.
    /// </summary>
    public static readonly string[] NeverForwarded =
    [
        "Authorization",
        "Proxy-Authorization",
        "Accept-Encoding",
        "api-key",
        "OpenAI-Organization",
        "OpenAI-Project",
        "Cookie",
        "Host",
        "Connection",
        "Keep-Alive",
        "Proxy-Connection",
        "Transfer-Encoding",
        "TE",
        "Trailer",
        "Upgrade",
        "Expect",
        "Forwarded",
        "X-Forwarded-*",
        "X-Real-IP",
        "X-Session-Id",
        "X-Request-Id",
        "X-Prompt-*",
        "X-Gateway-*",
    ];

    /// <summary>
    /// Response headers returned from every provider. <c>X-Request-Id</c> is returned renamed, as
    /// <c>X-Upstream-Request-Id</c>; the gateway's own headers are set by the gateway, never copied.
    /// </summary>
    public static readonly string[] DefaultResponse =
    [
        "Content-Type",
        "Content-Length",
        "Content-Encoding",
        "Cache-Control",
        "Retry-After",
    ];

    /// <summary>Response headers never copied from a provider: framing headers, and the names the gateway answers with itself.</summary>
    public static readonly string[] NeverReturned =
    [
        "Connection",
        "Keep-Alive",
        "Proxy-Connection",
        "Transfer-Encoding",
        "Trailer",
        "Upgrade",
        "X-Request-Id",
        "X-Upstream-Request-Id",
        "X-Prompt-*",
        "X-Gateway-*",
    ];
}
