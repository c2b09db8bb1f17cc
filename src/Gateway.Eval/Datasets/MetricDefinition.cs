using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Datasets;

/// <summary>A named metric of the eval config: where its values come from and how it is gated.</summary>
internal sealed record MetricDefinition
{
    public required string Name { get; init; }

    public MetricSource Source { get; init; } = MetricSource.Assertions;

    /// <summary>Another <c>metric</c> field value (besides <see cref="Name"/>) whose assertions feed this metric.</summary>
    public string? AssertionMetric { get; init; }

    /// <summary>Assertions of these types feed the metric; <c>not-x</c> matches <c>x</c> too.</summary>
    public IReadOnlyList<string> AssertionTypes { get; init; } = [];

    public MetricAggregate Aggregate { get; init; } = MetricAggregate.AllPass;

    public required MetricGate Gate { get; init; }

    /// <summary>A rate for all-pass assertion metrics, continuous otherwise; decides McNemar and how deltas are worded.</summary>
    public MetricKind Kind => Source == MetricSource.Errors || (Source == MetricSource.Assertions && Aggregate == MetricAggregate.AllPass)
        ? MetricKind.Rate
        : MetricKind.Continuous;

    /// <summary>Why an assertion cannot name <paramref name="metric"/>, a metric measured from the calls.</summary>
    public static string NotFedByAssertions(MetricDefinition metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return $"metric '{metric.Name}' is measured from the calls ({metric.Source.ToString().ToLowerInvariant()}), not from assertions: give the assertion's metric another name";
    }

    /// <summary>Whether an assertion's <c>metric</c> field of <paramref name="name"/> selects this metric (its name or <see cref="AssertionMetric"/>, case-insensitive).</summary>
    public bool AcceptsMetricName(string name) =>
        Source == MetricSource.Assertions
        && (string.Equals(name, Name, StringComparison.OrdinalIgnoreCase) || string.Equals(name, AssertionMetric, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Whether <paramref name="assertion"/> contributes to this metric: its <c>metric</c> field selects it or, for an
    /// assertion without a <c>metric</c>, its type is one of <see cref="AssertionTypes"/>.
    /// </summary>
    public bool IsFedBy(AssertionSpec assertion)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        if (Source != MetricSource.Assertions)
        {
            return false;
        }

        // An explicit tag is the author's decision and wins over type matching, so one assertion is never counted
        // in a metric its author did not name.
        if (assertion.Metric is { } named)
        {
            return AcceptsMetricName(named);
        }

        var type = assertion.Type.Trim();
        var baseType = type.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase)
            ? type[ScorerRegistry.NegationPrefix.Length..]
            : type;
        return AssertionTypes.Any(t => string.Equals(t, type, StringComparison.OrdinalIgnoreCase) || string.Equals(t, baseType, StringComparison.OrdinalIgnoreCase));
    }
}
