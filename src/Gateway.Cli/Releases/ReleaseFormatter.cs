using System.Globalization;
using LlmGateway.Cli.Output;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Cli.Releases;

/// <summary>A release in words: a one-line summary for tables and a block for <c>release</c> commands.</summary>
internal static class ReleaseFormatter
{
    /// <summary>"v3", "v3 + canary v4 @ 10%", or "-" when nothing is released.</summary>
    public static string Summary(ReleaseView? release)
    {
        if (release is null || (release.Stable is null && release.Canary is null))
        {
            return TextTable.Missing;
        }

        var summary = Display.Version(release.Stable);
        return release.Canary is null ? summary : $"{summary} + canary {Canary(release)}";
    }

    /// <summary>"v4 @ 10%", the canary and its share of traffic.</summary>
    public static string Canary(ReleaseView release) => Canary(release.Canary, release.CanaryWeight);

    /// <summary>The same for a release as stored (a history event's <c>before</c> and <c>after</c>).</summary>
    public static string Canary(ReleaseRecord release) => Canary(release.Canary, release.CanaryWeight);

    /// <summary>
    /// "stable 5%, canary 50%, floor 100/h"; a part the policy leaves out follows the configured default
    /// ("canary default"), and no policy at all is "defaults".
    /// </summary>
    public static string Sampling(ReleaseSampling? sampling) =>
        sampling is null
            ? "defaults"
            : string.Join(", ",
                "stable " + (sampling.Stable is null ? "default" : Display.Rate(sampling.Stable)),
                "canary " + (sampling.Canary is null ? "default" : Display.Rate(sampling.Canary)),
                "floor " + (sampling.FloorPerHour is { } floor ? floor.ToString(CultureInfo.InvariantCulture) + "/h" : "default"));

    /// <summary>
    /// The release as a block. <paramref name="prompt"/> and <paramref name="environment"/>, the ones asked about,
    /// stand in for an answer that leaves its own out.
    /// </summary>
    public static void WriteDetails(TextWriter output, ReleaseView release, string? prompt = null, string? environment = null)
    {
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{release.Prompt ?? prompt ?? "?"} in {release.Environment ?? environment ?? "?"} (revision {Display.Number(release.Revision)})"));
        var details = new LabelledValues()
            .Add("stable", Display.Version(release.Stable))
            .Add("canary", release.Canary is null
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"{Display.Version(release.Canary)} at {Display.Weight(release.CanaryWeight)} ({release.CanaryWeight} bps)"))
            .Add("previous stable", Display.Version(release.PreviousStable))
            .Add("stickiness", release.Stickiness)
            .Add("sampling", Sampling(release.Sampling))
            .Add("updated", $"{Display.Instant(release.UpdatedAt)} by {Display.Text(release.Actor)}");
        if (release.RolloutSampling is { } rollout)
        {
            // Only while a rollout's canary serves users (the gateway applies it then): why the prompt is sampled far above
            // its policy. A shadow step keeps the usual rates, and says so.
            details.Add("rollout sampling", release.Canary is not null && release.CanaryWeight > 0
                ? RolloutSampling(rollout) + " (the rollout's plan; each arm at least this)"
                : RolloutSampling(rollout) + " from its first weight step (a shadow step keeps the usual rates)");
        }

        if (release.Canary is not null && release.ShadowShare > 0)
        {
            // Only during a rollout's shadow step: the line would otherwise always read "-".
            details.Add("shadow", string.Create(CultureInfo.InvariantCulture,
                $"{Display.Weight(release.ShadowShare)} of stable requests also answered by {Display.Version(release.Canary)} ({release.ShadowShare} bps)"));
        }

        output.Write(details.ToString(indent: 2));
    }

    /// <summary>"stable 100%, canary 100%": the rates a rollout samples its arms at.</summary>
    public static string RolloutSampling(LlmGateway.Contracts.Rollouts.RolloutSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        return $"stable {Display.Rate(sampling.Stable)}, canary {Display.Rate(sampling.Canary)}";
    }

    private static string Canary(int? canary, int weight) =>
        canary is null ? TextTable.Missing : $"{Display.Version(canary)} @ {Display.Weight(weight)}";
}
