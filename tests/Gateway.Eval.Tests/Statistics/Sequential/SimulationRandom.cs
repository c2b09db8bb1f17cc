using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>
/// The simulations' source of randomness: the production xoshiro256** rather than <see cref="Random"/>, whose seeded
/// sequence .NET does not promise across versions, so the figures in the README reproduce after an upgrade.
/// </summary>
internal sealed class SimulationRandom(ulong seed)
{
    private Xoshiro256StarStar _generator = new(seed);

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double Uniform() => (_generator.NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    public double Bernoulli(double p) => Uniform() < p ? 1 : 0;

    /// <summary>Box–Muller; one of the pair is thrown away, which keeps the draw order simple to reason about.</summary>
    public double Normal() => Math.Sqrt(-2 * Math.Log(1 - Uniform())) * Math.Cos(2 * Math.PI * Uniform());
}
