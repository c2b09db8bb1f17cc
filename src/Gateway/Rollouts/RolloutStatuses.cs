namespace LlmGateway.Rollouts;

internal static class RolloutStatuses
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Promoted = "promoted";
    public const string Aborted = "aborted";

    public static bool IsActive(string status) => status is Running or Paused;
}
