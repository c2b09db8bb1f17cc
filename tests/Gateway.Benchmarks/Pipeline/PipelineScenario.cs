namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>The two non-streamed requests the pipeline benchmarks send, as the load tests send them.</summary>
public enum PipelineScenario
{
    /// <summary><c>{"model":"gpt-4o-mini",...}</c>: the catalog model, forwarded as the client sent it.</summary>
    PlainChat,

    /// <summary>
    /// <c>{"model":"prompt:demo-bot",...}</c> with <c>prompt_variables</c> and an <c>X-Session-Id</c>: the release
    /// (v1 stable, v2 on a 10% canary), the stable arm, the Liquid system message rendered and the body rewritten.
    /// </summary>
    PromptChat,
}
