namespace LlmGateway.Sampling;

/// <summary>Why a request was sampled.</summary>
internal static class SampleReasons
{
    /// <summary>The request id hashed under the arm's rate.</summary>
    public const string Rate = "rate";

    /// <summary>Taken to reach the arm's hourly floor.</summary>
    public const string Floor = "floor";

    /// <summary>Forced by a key with the <c>debug</c> permission.</summary>
    public const string Forced = "forced";

    /// <summary>A request of a rollout's shadow step (the stable request copied, or the candidate's answer to the copy): pairs need both.</summary>
    public const string Shadow = "shadow";
}
