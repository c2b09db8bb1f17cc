namespace LlmGateway.Behaviour;

/// <summary>A sample's readings, with where they belong: prompt, environment, version, arm and minute.</summary>
internal sealed record ScoredSample(
    string SampleId,
    string Prompt,
    string Environment,
    int Version,
    string Variant,
    long Minute,
    IReadOnlyList<MetricObservation> Observations);
