using LlmGateway.Cli.Http;

namespace LlmGateway.Cli.Rollouts;

/// <summary>The admin API paths of <c>gatewayctl rollout</c>, with every caller-supplied segment escaped.</summary>
internal static class RolloutRoutes
{
    /// <summary>The controls that take a <c>RolloutControlRequest</c>, as the path spells them.</summary>
    public static readonly IReadOnlyList<string> Controls = ["pause", "resume", "abort", "skip-step"];

    /// <summary><c>POST</c> starts a rollout, <c>GET</c> reads it.</summary>
    public static string Rollout(string prompt, string environment) =>
        $"{AdminRoutes.Prompt(prompt)}/rollouts/{AdminRoutes.Segment(environment)}";

    /// <summary><c>pause</c>, <c>resume</c>, <c>abort</c> or <c>skip-step</c>.</summary>
    public static string Control(string prompt, string environment, string control)
    {
        if (!Controls.Contains(control, StringComparer.Ordinal))
        {
            throw new ArgumentOutOfRangeException(nameof(control), control, "Not a rollout control.");
        }

        return $"{Rollout(prompt, environment)}/{control}";
    }
}
