namespace LlmGateway.Sampling;

/// <summary>Whether one request is sampled and why; decided once, when the request starts.</summary>
internal readonly record struct SamplingDecision(string? Reason)
{
    public static SamplingDecision Skip => default;

    public bool Sampled => Reason is not null;
}
