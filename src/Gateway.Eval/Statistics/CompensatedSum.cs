namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Neumaier's compensated summation: carries the low-order bits each addition drops, so a long sum of terms whose
/// total is large (or cancels) stays accurate to about one rounding of the result.
/// </summary>
internal struct CompensatedSum
{
    private double _sum;
    private double _compensation;

    public readonly double Value => _sum + _compensation;

    public void Add(double value)
    {
        var total = _sum + value;
        _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - total) + value : (value - total) + _sum;
        _sum = total;
    }
}
