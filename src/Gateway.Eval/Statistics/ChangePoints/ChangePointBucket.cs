namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// One minute of one metric for one prompt and environment, all arms together: how many samples were seen, their sum
/// and the sum of their squares. For a <see cref="MetricScale.Rate"/> metric every value is 0 or 1, so
/// <see cref="Sum"/> is the number of events and <see cref="SumOfSquares"/> equals it. A minute without traffic is a
/// bucket with <see cref="Count"/> 0.
/// </summary>
/// <param name="Start">The start of the minute.</param>
/// <param name="Count">Samples in the minute.</param>
/// <param name="Sum">Σx over the minute's samples.</param>
/// <param name="SumOfSquares">Σx² over the minute's samples.</param>
public readonly record struct ChangePointBucket(DateTimeOffset Start, long Count, double Sum, double SumOfSquares);
