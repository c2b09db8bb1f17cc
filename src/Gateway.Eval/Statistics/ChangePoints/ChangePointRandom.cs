namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// The simulation's draws, on the production xoshiro256** rather than <see cref="Random"/> (whose seeded sequence .NET
/// does not promise across versions), so the figures in docs/change-detection.md reproduce after an upgrade.
/// </summary>
internal sealed class ChangePointRandom(ulong seed)
{
    private Xoshiro256StarStar _generator = new(seed);
    private double _spare;
    private bool _hasSpare;

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double Uniform() => (_generator.NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    public double Bernoulli(double p) => Uniform() < p ? 1 : 0;

    /// <summary>Box–Muller: a pair from two uniforms, the second kept for the next call.</summary>
    public double Normal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        var radius = Math.Sqrt(-2 * Math.Log(1 - Uniform()));
        var (sin, cos) = Math.SinCos(2 * Math.PI * Uniform());
        _spare = radius * sin;
        _hasSpare = true;
        return radius * cos;
    }

    /// <summary>Lognormal with the given mean and log-scale σ.</summary>
    public double LogNormal(double mean, double sigma) => Math.Exp(Math.Log(mean) - (sigma * sigma / 2) + (sigma * Normal()));

    /// <summary>Poisson by Knuth's product of uniforms (exact; λ up to a few hundred stays far from underflow).</summary>
    public int Poisson(double lambda)
    {
        var limit = Math.Exp(-lambda);
        var count = 0;
        var product = Uniform();
        while (product > limit)
        {
            count++;
            product *= Uniform();
        }

        return count;
    }
}
