namespace LlmGateway.Eval.Statistics;

/// <summary>One metric to compare: its name, what its values are, how it is gated, and its paired values.</summary>
internal sealed record MetricSamples(string Name, MetricKind Kind, MetricGate Gate, PairedSamples Samples);
