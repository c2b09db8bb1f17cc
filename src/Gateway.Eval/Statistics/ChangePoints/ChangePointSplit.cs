namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// The best split of one scan, whether or not it reached the threshold: the simulation calibrates on
/// <see cref="Statistic"/>, the detector turns it into a <see cref="DetectedChange"/>.
/// </summary>
internal readonly record struct ChangePointSplit(
    int FirstBucketIndex,
    int WindowStartIndex,
    double Statistic,
    double Before,
    double After,
    double StandardError,
    long SamplesBefore,
    long SamplesAfter);
