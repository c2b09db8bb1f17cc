namespace LlmGateway.Eval.Running;

/// <summary>Where the gateway is and the key to call it with. The key needs the <c>pin</c> permission.</summary>
internal sealed record GatewayExecutorOptions
{
    /// <summary>The gateway's base address, e.g. <c>http://localhost:8080</c>; <c>/v1/chat/completions</c> is appended.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The gateway key, sent as a bearer token.</summary>
    public string? ApiKey { get; init; }
}
