using LlmGateway.Contracts.Behaviour;

namespace LlmGateway.Behaviour;

/// <summary>Adds up one series' stats over any number of hash fields, then reads as a point.</summary>
internal sealed class SeriesAccumulator
{
    public double Count { get; private set; }
    public double Sum { get; private set; }
    public double SumOfSquares { get; private set; }
    public double Passes { get; private set; }
    public double Fails { get; private set; }
    public double Errors { get; private set; }

    public void Add(char stat, double value)
    {
        switch (stat)
        {
            case SeriesField.Count: Count += value; break;
            case SeriesField.Sum: Sum += value; break;
            case SeriesField.SumOfSquares: SumOfSquares += value; break;
            case SeriesField.Passes: Passes += value; break;
            case SeriesField.Fails: Fails += value; break;
            case SeriesField.Errors: Errors += value; break;
        }
    }

    public void Add(SeriesAccumulator other)
    {
        Count += other.Count;
        Sum += other.Sum;
        SumOfSquares += other.SumOfSquares;
        Passes += other.Passes;
        Fails += other.Fails;
        Errors += other.Errors;
    }

    public BehaviourPoint ToPoint(DateTimeOffset at, MetricKind kind)
    {
        var n = Count;
        // A rate's values are 0 or 1, so its sum of squares is its sum (it is not stored).
        var squares = kind == MetricKind.Rate ? Sum : SumOfSquares;
        double? stddev = n >= 2 ? Math.Sqrt(Math.Max(0, (squares - (Sum * Sum / n)) / (n - 1))) : null;
        var judged = Passes + Fails;
        return new BehaviourPoint
        {
            At = at,
            Count = (long)Math.Round(n),
            Passes = (long)Math.Round(Passes),
            Fails = (long)Math.Round(Fails),
            Errors = (long)Math.Round(Errors),
            Mean = n > 0 ? Sum / n : null,
            StdDev = stddev,
            PassRatio = judged > 0 ? Passes / judged : null,
        };
    }
}
