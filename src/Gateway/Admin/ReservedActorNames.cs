namespace LlmGateway.Admin;

/// <summary>
/// Names the gateway itself acts under in history and the audit log. No admin token may be issued or configured under
/// one (in any letter case; a stored token issued before this rule keeps its name until it is revoked):
/// the rollout controller knows its own release changes by its name, and a person acting under it could make it take
/// an operator's change for its own step (and skip judging one), or have their actions recorded as the controller's.
/// </summary>
internal static class ReservedActorNames
{
    private static readonly string[] Names = [Rollouts.RolloutController.Actor, "redis", AdminAuthorizationFilter.UnknownActor];

    public static bool IsReserved(string name) => Array.Exists(Names, n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
}
