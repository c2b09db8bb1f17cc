namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>
/// The standard normal density, distribution and quantile. .NET has no erf, and the sequential boundary needs tail
/// probabilities near 1e-3 to several digits, so these are the classic double-precision algorithms rather than a
/// rough approximation.
/// </summary>
internal static class StandardNormal
{
    private const double InverseSqrtTwoPi = 0.398942280401432677940;

    public static double Density(double x) => InverseSqrtTwoPi * Math.Exp(-0.5 * x * x);

    /// <summary>
    /// Φ(x), by Hart's algorithm 5666 as given by West ("Better approximations to cumulative normal functions",
    /// Wilmott 2005): accurate to about 1e-15 everywhere, and the lower tail keeps its relative accuracy.
    /// </summary>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        var z = Math.Abs(x);
        double tail;
        if (z > 37)
        {
            tail = 0;
        }
        else
        {
            var e = Math.Exp(-z * z / 2);
            if (z < 7.07106781186547)
            {
                var numerator = (0.0352624965998911 * z) + 0.700383064443688;
                numerator = (numerator * z) + 6.37396220353165;
                numerator = (numerator * z) + 33.912866078383;
                numerator = (numerator * z) + 112.079291497871;
                numerator = (numerator * z) + 221.213596169931;
                numerator = (numerator * z) + 220.206867912376;
                var denominator = (0.0883883476483184 * z) + 1.75566716318264;
                denominator = (denominator * z) + 16.064177579207;
                denominator = (denominator * z) + 86.7807322029461;
                denominator = (denominator * z) + 296.564248779674;
                denominator = (denominator * z) + 637.333633378831;
                denominator = (denominator * z) + 793.826512519948;
                denominator = (denominator * z) + 440.413735824752;
                tail = e * numerator / denominator;
            }
            else
            {
                var fraction = z + 0.65;
                fraction = z + (4 / fraction);
                fraction = z + (3 / fraction);
                fraction = z + (2 / fraction);
                fraction = z + (1 / fraction);
                tail = e / fraction / 2.506628274631;
            }
        }

        return x > 0 ? 1 - tail : tail;
    }

    /// <summary>
    /// Φ⁻¹(p), by Acklam's rational approximation (relative error 1.2e-9) polished with one Halley step against
    /// <see cref="Cdf"/>, which brings it to the precision of the distribution function.
    /// </summary>
    public static double Quantile(double p)
    {
        if (!(p > 0 && p < 1))
        {
            return p == 0 ? double.NegativeInfinity : p == 1 ? double.PositiveInfinity : double.NaN;
        }

        const double Low = 0.02425;
        double x;
        if (p < Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = Tail(q);
        }
        else if (p <= 1 - Low)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((((((((-39.69683028665376 * r) + 220.9460984245205) * r) - 275.9285104469687) * r) + 138.3577518672690) * r) - 30.66479806614716) * r) + 2.506628277459239) * q)
                / (((((((((-54.47609879822406 * r) + 161.5858368580409) * r) - 155.6989798598866) * r) + 66.80131188771972) * r) - 13.28068155288572) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -Tail(q);
        }

        // One Halley step: the rational approximation's 1e-9 would otherwise leak into every boundary built on it.
        var error = Cdf(x) - p;
        var u = error * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - (u / (1 + (x * u / 2)));
    }

    private static double Tail(double q) =>
        ((((((((((-0.007784894002430293 * q) - 0.3223964580411365) * q) - 2.400758277161838) * q) - 2.549732539343734) * q) + 4.374664141464968) * q) + 2.938163982698783)
        / ((((((((0.007784695709041462 * q) + 0.3224671290700398) * q) + 2.445134137142996) * q) + 3.754408661907416) * q) + 1);
}
