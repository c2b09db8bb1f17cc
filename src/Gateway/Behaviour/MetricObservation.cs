namespace LlmGateway.Behaviour;

/// <summary>
/// One metric's reading of one sample. <see cref="Value"/> is null when the scorer could not score
/// (<see cref="Errored"/>); <see cref="Pass"/> is null for a plain measurement.
/// </summary>
internal readonly record struct MetricObservation(string Metric, MetricKind Kind, double? Value, bool? Pass)
{
    public bool Errored => Value is null;

    public static MetricObservation Event(string metric, bool happened) => new(metric, MetricKind.Rate, happened ? 1 : 0, !happened);

    public static MetricObservation Measure(string metric, double value) => new(metric, MetricKind.Value, value, null);

    public static MetricObservation Error(string metric, MetricKind kind) => new(metric, kind, null, null);
}
