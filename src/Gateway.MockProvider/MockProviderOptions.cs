namespace LlmGateway.MockProvider;

/// <summary>Settings of the mock provider, bound from the <c>MockProvider</c> configuration section.</summary>
public sealed class MockProviderOptions
{
    public const string SectionName = "MockProvider";

    /// <summary>When set, /v1 and /openai requests must send <c>Authorization: Bearer key</c> or <c>api-key: key</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Models listed by <c>GET /v1/models</c>. Requests may name any model; this list is informational.</summary>
    public string[] Models { get; set; } = ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "text-embedding-3-small"];

    /// <summary>Content chunks per streamed reply when the <c>chunks</c> knob is absent.</summary>
    public int DefaultChunks { get; set; } = 4;

    /// <summary>Vector length of embeddings when the request has no <c>dimensions</c>.</summary>
    public int EmbeddingDimensions { get; set; } = 8;

    /// <summary>How many recent requests <see cref="ReceivedRequestLog"/> keeps.</summary>
    public int ReceivedRequestCapacity { get; set; } = 1000;
}
