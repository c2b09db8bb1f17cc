namespace LlmGateway.Eval.Statistics;

/// <summary>
/// The small-sample correction both designs share: Student's t at 97.5% over the normal's 1.96, for 1 to 29 degrees
/// of freedom (below 31 cases, or repeats), where an interval built on the normal, or on the spread of a handful of
/// cases, is furthest off (t₁ = 12.7); beyond, none (at most 4%: the calibrations at 60 and 200 cases are the normal's).
/// </summary>
internal static class StudentT
{
    private static readonly double[] Quantiles =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
    ];

    /// <summary>How much wider than the normal's a 95% interval on <paramref name="degreesOfFreedom"/> (≥ 1) must be: 1 from 30 on.</summary>
    public static double Inflation(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return degreesOfFreedom <= Quantiles.Length ? Quantiles[degreesOfFreedom - 1] / 1.96 : 1;
    }
}
