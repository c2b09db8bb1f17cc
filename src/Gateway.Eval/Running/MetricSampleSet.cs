using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Running;

/// <summary>What a run hands the statistics layer: the metrics with data, and those without, with the reason.</summary>
/// <param name="Skipped">Metric name to why it cannot be compared (e.g. no assertion fed it, every cost unknown).</param>
internal sealed record MetricSampleSet(IReadOnlyList<MetricSamples> Samples, IReadOnlyDictionary<string, string> Skipped);
