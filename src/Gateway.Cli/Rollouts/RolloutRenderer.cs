using System.Globalization;
using System.Text;
using LlmGateway.Cli.Behaviour;
using LlmGateway.Cli.Output;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Cli.Rollouts;

/// <summary>
/// A rollout for people: candidate against baseline, its status, the step it is in and for how long, then the last
/// evaluation's evidence, one row per metric: both arms' means and counts, the difference with its interval, the
/// threshold and the verdict. Plain text: gatewayctl has no colour anywhere, so a pipe and a terminal read the same.
/// </summary>
internal static class RolloutRenderer
{
    /// <summary>A shadow step's share of stable requests when its plan leaves it out (the contract's default).</summary>
    public const double DefaultShadowShare = 0.1;

    /// <param name="view">The gateway's answer, read leniently: any field may be missing.</param>
    /// <param name="now">The time the view is shown at, for the time in a running or paused step.</param>
    /// <param name="prompt">The prompt asked about, for an answer that leaves its own out.</param>
    /// <param name="environment">The environment asked about, likewise.</param>
    public static string Render(RolloutView view, DateTimeOffset now, string? prompt = null, string? environment = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        var text = new StringBuilder();
        text.Append($"{view.Prompt ?? prompt ?? "?"} in {view.Environment ?? environment ?? "?"}: ")
            .Append($"{Display.Version(view.Candidate)} (candidate) against {Display.Version(view.Baseline)} (baseline)\n");

        var started = view.StartedAt == default ? TextTable.Missing : $"{Display.Instant(view.StartedAt)} by {Display.Text(view.StartedBy)}";
        if (!string.IsNullOrWhiteSpace(view.Reason))
        {
            started += $" ({view.Reason})";
        }

        var details = new LabelledValues()
            .Add("status", Status(view))
            .Add("step", Step(view))
            .Add("time in step", TimeInStep(view, now))
            .Add("plan", Plan(view));
        if (view.Sampling is { } sampling)
        {
            // Why the prompt is sampled far above its policy while the rollout runs (a rollout started before the field has none).
            details.Add("sampling", Releases.ReleaseFormatter.RolloutSampling(sampling) + (view.Weight > 0
                ? " while it runs"
                : " from its first weight step (a shadow step keeps the usual rates)"));
        }

        details
            .Add("started", started)
            .Add("updated", view.UpdatedAt == default
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"{Display.Instant(view.UpdatedAt)} (revision {view.Revision})"));
        text.Append(details.ToString(indent: 2)).Append('\n');
        text.Append(Evaluation(view.LastEvaluation));
        return text.ToString();
    }

    /// <summary>"running", "paused: refusal needs a human", "aborted: …".</summary>
    public static string Status(RolloutView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var status = Display.Text(view.Status);
        return string.IsNullOrWhiteSpace(view.StatusReason) ? status : $"{status}: {view.StatusReason}";
    }

    /// <summary>"2/4, weight 10%" or "1/4, shadow, share 10%"; n is "?" when the answer has no plan.</summary>
    public static string Step(RolloutView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var steps = view.Plan?.Steps;
        var of = steps is null ? "?" : steps.Count.ToString(CultureInfo.InvariantCulture);
        var current = steps is not null && view.Step >= 0 && view.Step < steps.Count ? steps[view.Step] : null;
        var position = string.Create(CultureInfo.InvariantCulture, $"{view.Step + 1}/{of}");
        return current?.Shadow == true
            ? $"{position}, shadow, share {Display.Rate(current.Share ?? DefaultShadowShare)}"
            : $"{position}, weight {Percent(view.Weight)}";
    }

    /// <summary>
    /// While the rollout goes on, since the step began ("312s (5m 12s) since …"); once it has ended, from the step's start
    /// to the end, which is its last update.
    /// </summary>
    public static string TimeInStep(RolloutView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.StepStartedAt == default)
        {
            return TextTable.Missing;
        }

        if (RolloutStatuses.HasEnded(view.Status) && view.UpdatedAt != default)
        {
            var held = (view.UpdatedAt - view.StepStartedAt).TotalSeconds;
            return $"{BehaviourFormat.Seconds(held)}, from {Display.Instant(view.StepStartedAt)} until it ended at {Display.Instant(view.UpdatedAt)}";
        }

        return $"{BehaviourFormat.Seconds((now - view.StepStartedAt).TotalSeconds)} since {Display.Instant(view.StepStartedAt)}";
    }

    /// <summary>The steps in order, the current one in brackets: "shadow 10% → [5%] → 25% → 100%".</summary>
    public static string? Plan(RolloutView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var steps = view.Plan?.Steps;
        if (steps is null || steps.Count == 0)
        {
            return null;
        }

        return string.Join(" → ", steps.Select((step, index) =>
        {
            var label = step.Shadow == true
                ? "shadow " + Display.Rate(step.Share ?? DefaultShadowShare)
                : step.Weight is { } weight ? Percent(weight) : TextTable.Missing;
            return index == view.Step ? $"[{label}]" : label;
        }));
    }

    /// <summary>The last evaluation's line and its table, or a line saying there is none yet.</summary>
    public static string Evaluation(RolloutEvaluation? evaluation)
    {
        if (evaluation is null)
        {
            return "No evaluation yet.\n";
        }

        var text = new StringBuilder();
        var reason = string.IsNullOrWhiteSpace(evaluation.Reason) ? "" : $" ({evaluation.Reason})";
        var at = evaluation.At == default ? TextTable.Missing : Display.Instant(evaluation.At);
        text.Append($"Last evaluation {at}: {Display.Text(evaluation.Decision)}{reason}\n");
        if (evaluation.Units is { } units)
        {
            // Samples of one user or session all land on one arm: the arms rest on this many independent draws.
            text.Append($"Distinct users/sessions: stable {Display.Number(units.Stable)}, canary {Display.Number(units.Canary)} (needs {Display.Number(units.Required)} per arm)\n");
        }

        var metrics = evaluation.Metrics ?? [];
        if (metrics.Count == 0)
        {
            text.Append("No metric was judged.\n");
            return text.ToString();
        }

        var table = new TextTable("METRIC", "STABLE", "CANARY", "DIFF", "THRESHOLD", "VERDICT");
        foreach (var metric in metrics)
        {
            table.AddRow(
                metric.Metric,
                Arm(metric.Stable),
                Arm(metric.Canary),
                Difference(metric),
                metric.Relative ? Percent(metric.Threshold * 100) : BehaviourFormat.Number(metric.Threshold),
                metric.Verdict);
        }

        text.Append('\n').Append(table.ToString());
        return text.ToString();
    }

    /// <summary>"0.012 (n=1200)": the arm's mean (its quantile, for a quantile metric) and how many samples it rests on.</summary>
    public static string Arm(RolloutArmReading? reading) =>
        reading is null
            ? TextTable.Missing
            : $"{BehaviourFormat.Number(reading.Quantile ?? reading.Mean)} (n={Display.Number(reading.Count)})";

    /// <summary>
    /// Canary minus stable with its interval: "+0.004 [-0.002, +0.01]", or as a share of the stable mean when the
    /// metric is judged relatively: "+12.5% [+3.1%, +21.9%]"; an end that is not bounded yet is shown as ∞.
    /// </summary>
    public static string Difference(RolloutMetricVerdict metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (metric.Difference is not { } difference)
        {
            return TextTable.Missing;
        }

        // A quantile's interval is open above while the arms are too small to bound it there: "+40% [+22%, ∞)".
        var text = Signed(difference, metric.Relative);
        return (metric.CiLow, metric.CiHigh) switch
        {
            ({ } low, { } high) => $"{text} [{Signed(low, metric.Relative)}, {Signed(high, metric.Relative)}]",
            ({ } low, null) => $"{text} [{Signed(low, metric.Relative)}, ∞)",
            (null, { } high) => $"{text} (−∞, {Signed(high, metric.Relative)}]",
            _ => text,
        };
    }

    private static string Signed(double value, bool relative) =>
        relative ? BehaviourFormat.Signed(value * 100) + "%" : BehaviourFormat.Signed(value);

    /// <summary>A share already in percent: 10 → "10%", 2.5 → "2.5%".</summary>
    private static string Percent(double percent) => BehaviourFormat.Number(percent) + "%";
}
