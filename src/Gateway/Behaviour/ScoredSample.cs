namespace LlmGateway.Behaviour;

/// <summary>
/// A sample's readings, with where they belong: prompt, environment, version, arm and minute. A shadow sample has no
/// readings of its own in the served series (no user saw its answer); its <see cref="Pairs"/> go to the shadow pairs.
/// </summary>
internal sealed record ScoredSample(
    string SampleId,
    string Prompt,
    string Environment,
    int Version,
    string Variant,
    long Minute,
    IReadOnlyList<MetricObservation> Observations,
    IReadOnlyList<PairedObservation>? Pairs = null);
