namespace LlmGateway.LoadTests.Options;

/// <summary>What each request does. Rollback, store-outage and soak are harness commands built on these.</summary>
internal enum ScenarioKind
{
    /// <summary>Non-streamed chat completion; the whole JSON body is read.</summary>
    Chat,

    /// <summary>Streamed chat completion (<c>"stream": true</c>); the SSE events are read one by one.</summary>
    Stream,

    /// <summary>Non-streamed <c>"model":"prompt:&lt;name&gt;"</c>; every response must name its prompt version and arm.</summary>
    PromptChat,

    /// <summary>
    /// The body the gateway forwards for <see cref="PromptChat"/> (the load-test bundle, rendered), sent as a plain
    /// request: what a system without a prompt registry (the mock itself, a bare YARP) gets in a comparison.
    /// </summary>
    PromptChatPlain,
}
