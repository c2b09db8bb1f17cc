namespace LlmGateway.Benchmarks.Proxy;

/// <summary>The three chat completion bodies the proxy benchmarks run over.</summary>
public enum BodySize
{
    /// <summary>About 300 B: one short user message.</summary>
    Small,

    /// <summary>About 8 KB: a system prompt and a 20-turn conversation.</summary>
    Medium,

    /// <summary>About 256 KB: a long pasted document as context.</summary>
    Large,
}
