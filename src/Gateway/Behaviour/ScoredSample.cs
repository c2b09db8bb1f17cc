namespace LlmGateway.Behaviour;

/// <summary>
/// A sample's readings, with where they belong: prompt, environment, version, arm and minute. A shadow sample has no
/// readings of its own in the served series (no user saw its answer); its <see cref="Pairs"/> go to the shadow pairs.
/// </summary>
/// <param name="Unit">
/// The request's assignment unit, hashed (<see cref="Sampling.SampleRecord.Unit"/>); null when unknown. Counted per
/// version and arm, so a step can tell a thousand requests of one application from a thousand users.
/// </param>
internal sealed record ScoredSample(
    string SampleId,
    string Prompt,
    string Environment,
    int Version,
    string Variant,
    long Minute,
    IReadOnlyList<MetricObservation> Observations,
    IReadOnlyList<PairedObservation>? Pairs = null,
    string? Unit = null);
