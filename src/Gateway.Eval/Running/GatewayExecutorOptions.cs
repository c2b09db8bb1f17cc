namespace LlmGateway.Eval.Running;

/// <summary>Where the gateway is and the key to call it with. The key needs the <c>pin</c> permission.</summary>
internal sealed record GatewayExecutorOptions
{
    /// <summary>The gateway's base address, e.g. <c>http://localhost:8080</c>; <c>/v1/chat/completions</c> is appended.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The gateway key, sent as a bearer token.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// Send <c>"stream": true</c> and read the answer as SSE (<c>--stream</c>), so what is scored and billed is what a
    /// streaming client gets: the text and tool calls reassembled from the deltas, the cost and tokens from the
    /// gateway's <c>: gateway-usage</c> comment, the latency to the end of the stream. A cut stream or an SSE error
    /// event is a failed call.
    /// </summary>
    public bool Stream { get; init; }
}
