using System.Globalization;
using System.Text;
using LlmGateway.Cli.Output;
using LlmGateway.Contracts.Behaviour;

namespace LlmGateway.Cli.Behaviour;

/// <summary>
/// <c>gatewayctl behaviour changes</c>: one block per detected change, newest first, saying what moved, by how much
/// and how surely, when, which arm moved, and which activation came nearest to it.
/// </summary>
internal static class BehaviourChangesRenderer
{
    public static string Render(BehaviourChangesResponse response, string prompt, string? metric)
    {
        ArgumentNullException.ThrowIfNull(response);
        var changes = response.Changes ?? [];
        var subject = $"{response.Prompt ?? prompt} in {Display.Text(response.Environment)}";
        var text = new StringBuilder();
        if (changes.Count == 0)
        {
            var what = string.IsNullOrWhiteSpace(metric) ? "any metric" : metric;
            text.Append($"No change detected in {what} for {subject}.\n");
            return text.ToString();
        }

        var count = changes.Count == 1 ? "1 change" : $"{changes.Count.ToString(CultureInfo.InvariantCulture)} changes";
        text.Append($"{subject}: {count} detected, newest first.\n");
        foreach (var change in changes)
        {
            text.Append('\n').Append(Headline(change)).Append('\n');
            var details = new LabelledValues()
                .Add("window", $"{Display.Instant(change.WindowStart)} to {Display.Instant(change.WindowEnd)}")
                .Add("samples", $"{Display.Number(change.SamplesBefore)} before, {Display.Number(change.SamplesAfter)} after")
                .Add("by arm", ByArm(change.Arms))
                .Add("detected", $"{Display.Instant(change.DetectedAt)} (statistic {BehaviourFormat.Number(change.Statistic)}, threshold {BehaviourFormat.Number(change.Threshold)})")
                .Add("nearest activation", Activation(change.NearestActivation))
                .Add("id", change.Id);
            text.Append(details.ToString(indent: 2));
        }

        return text.ToString();
    }

    /// <summary>"refusal ↑ increase: 0.02 → 0.11 (+0.09, 95% CI +0.05 to +0.13)".</summary>
    internal static string Headline(BehaviourChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var direction = change.Direction switch
        {
            "increase" => "↑ increase",
            "decrease" => "↓ decrease",
            var other => Display.Text(other),
        };
        return $"{Display.Text(change.Metric)} {direction}: {BehaviourFormat.Number(change.Before)} → {BehaviourFormat.Number(change.After)} " +
            $"({BehaviourFormat.Signed(change.Difference)}, 95% CI {BehaviourFormat.Signed(change.CiLow)} to {BehaviourFormat.Signed(change.CiHigh)})";
    }

    /// <summary>
    /// One line per version and arm, "v2 canary  0.02 → 0.31  (40 → 60 samples)": the headline weighs the arms by their
    /// samples, so this says which one moved. Null (shown as "-") for a change recorded before arms were kept.
    /// </summary>
    internal static string? ByArm(IReadOnlyList<BehaviourChangeArm>? arms)
    {
        if (arms is null || arms.Count == 0)
        {
            return null;
        }

        var names = arms.Select(a => $"{Display.Version(a.Version)} {Display.Text(a.Variant)}").ToList();
        var levels = arms.Select(a => $"{Level(a.Before)} → {Level(a.After)}").ToList();
        var width = names.Max(n => n.Length);
        var levelWidth = levels.Max(l => l.Length);
        return string.Join('\n', arms.Select((a, i) =>
            $"{names[i].PadRight(width)}  {levels[i].PadRight(levelWidth)}  ({Display.Number(a.SamplesBefore)} → {Display.Number(a.SamplesAfter)} samples)"));

        static string Level(double? mean) => mean is { } m ? BehaviourFormat.Number(m) : "-";
    }

    /// <summary>"canary-start v3 by alice at 2026-11-29 13:04:12Z (try v3), 48s before" (or "… after"), or why there is none.</summary>
    internal static string Activation(NearestActivation? activation)
    {
        if (activation is null)
        {
            return "none: no activation before or just after this change";
        }

        var version = activation.Version is { } v ? " " + Display.Version(v) : "";
        var reason = string.IsNullOrWhiteSpace(activation.Reason) ? "" : $" ({activation.Reason})";
        var when = activation switch
        {
            { SecondsBefore: > 0 } => BehaviourFormat.Seconds(activation.SecondsBefore) + " before",
            // The change's minute is an estimate: the activation that caused it can come just after.
            { SecondsAfter: > 0 } => BehaviourFormat.Seconds(activation.SecondsAfter) + " after",
            _ => "inside the window",
        };
        return $"{Display.Text(activation.Action)}{version} by {Display.Text(activation.Actor)} at {Display.Instant(activation.At)}{reason}, {when}";
    }
}
