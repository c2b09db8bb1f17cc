namespace LlmGateway.Eval.Statistics;

/// <summary>Which way a metric gets better; a regression is a move the other way.</summary>
internal enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}
