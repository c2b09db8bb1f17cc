namespace LlmGateway.Eval.Datasets;

/// <summary>How the assertions feeding a metric become one value per run.</summary>
internal enum MetricAggregate
{
    /// <summary>1 when every feeding assertion passed, else 0: a rate (accuracy, format, safety).</summary>
    AllPass,

    /// <summary>The weight-weighted mean of the feeding assertions' scores in [0, 1] (plain mean if all weights are 0): a continuous score (tone).</summary>
    WeightedScore,
}
