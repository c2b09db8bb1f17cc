namespace LlmGateway.LoadTests.Options;

/// <summary>What each request does. The full list (prompt-chat, rollback, store-outage, soak) comes later.</summary>
internal enum ScenarioKind
{
    /// <summary>Non-streamed chat completion; the whole JSON body is read.</summary>
    Chat,

    /// <summary>Streamed chat completion (<c>"stream": true</c>); the SSE events are read one by one.</summary>
    Stream,
}
