namespace LlmGateway.Resilience;

internal enum AttemptKind
{
    /// <summary>The response (success or a non-retryable error) goes to the client as it is.</summary>
    Done,

    /// <summary>Nothing reached the client and the failure is worth another attempt.</summary>
    Retryable,

    /// <summary>The model's destinations are all unhealthy: go to the next candidate at once.</summary>
    Unavailable,

    /// <summary>The client went away: stop.</summary>
    ClientGone,
}
