namespace LlmGateway.Routing;

/// <summary>Values of the <c>X-Prompt-Variant</c> response header.</summary>
internal static class Variants
{
    public const string Stable = "stable";
    public const string Canary = "canary";

    /// <summary>A version chosen with <c>X-Prompt-Version</c>, outside the split.</summary>
    public const string Pinned = "pinned";

    /// <summary>
    /// The candidate answering a copy of a stable request during a rollout's shadow step. Never seen by a client:
    /// only the gateway's own shadow calls get it.
    /// </summary>
    public const string Shadow = "shadow";
}
