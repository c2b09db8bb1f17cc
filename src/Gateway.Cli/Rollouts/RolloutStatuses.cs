namespace LlmGateway.Cli.Rollouts;

/// <summary>A rollout's <c>status</c>: it goes on while <see cref="Running"/> or <see cref="Paused"/>, and has ended otherwise.</summary>
internal static class RolloutStatuses
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Promoted = "promoted";
    public const string Aborted = "aborted";

    /// <summary>
    /// Promoted or aborted, or a status this gatewayctl does not know (a newer gateway's): <c>--watch</c> stops rather
    /// than wait forever for a rollout that may never say running or paused again.
    /// </summary>
    public static bool HasEnded(string? status) => status is not (Running or Paused);
}
