using System.Globalization;
using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Releases;

/// <summary>A release in words: a one-line summary for tables and a block for <c>release</c> commands.</summary>
internal static class ReleaseFormatter
{
    /// <summary>"v3", "v3 + canary v4 @ 10%", or "-" when nothing is released.</summary>
    public static string Summary(ReleaseRecord? release)
    {
        if (release is null || (release.Stable is null && release.Canary is null))
        {
            return TextTable.Missing;
        }

        var summary = Display.Version(release.Stable);
        return release.Canary is null ? summary : $"{summary} + canary {Canary(release)}";
    }

    /// <summary>"v4 @ 10%", the canary and its share of traffic.</summary>
    public static string Canary(ReleaseRecord release) =>
        release.Canary is null ? TextTable.Missing : $"{Display.Version(release.Canary)} @ {Display.Weight(release.CanaryWeight ?? 0)}";

    /// <summary>
    /// "stable 5%, canary 50%, floor 100/h"; a part the policy leaves out follows the configured default
    /// ("canary default"), and no policy at all is "defaults".
    /// </summary>
    public static string Sampling(SamplingPolicy? sampling) =>
        sampling is null
            ? "defaults"
            : string.Join(", ",
                "stable " + (sampling.Stable is null ? "default" : Display.Rate(sampling.Stable)),
                "canary " + (sampling.Canary is null ? "default" : Display.Rate(sampling.Canary)),
                "floor " + (sampling.FloorPerHour is { } floor ? floor.ToString(CultureInfo.InvariantCulture) + "/h" : "default"));

    public static void WriteDetails(TextWriter output, ReleaseRecord release, string? prompt = null, string? environment = null)
    {
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{release.Prompt ?? prompt ?? "?"} in {release.Environment ?? environment ?? "?"} (revision {Display.Number(release.Revision)})"));
        var details = new LabelledValues()
            .Add("stable", Display.Version(release.Stable))
            .Add("canary", release.Canary is null
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"{Display.Version(release.Canary)} at {Display.Weight(release.CanaryWeight ?? 0)} ({release.CanaryWeight ?? 0} bps)"))
            .Add("previous stable", Display.Version(release.PreviousStable))
            .Add("stickiness", release.Stickiness)
            .Add("sampling", Sampling(release.Sampling))
            .Add("updated", $"{Display.Instant(release.UpdatedAt)} by {Display.Text(release.Actor)}");
        output.Write(details.ToString(indent: 2));
    }
}
