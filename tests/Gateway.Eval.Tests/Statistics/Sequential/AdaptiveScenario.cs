namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>
/// A simulated prompt-version pair: how its cases are drawn, and which metrics truly regressed beyond their
/// tolerance (so a "regressed" verdict is a detection there and a false alarm elsewhere).
/// </summary>
/// <param name="Seed">First data seed; trial t uses Seed + t, so scenarios do not share data.</param>
internal sealed record AdaptiveScenario(string Name, bool AccuracyRegressed, bool CostRegressed, ulong Seed, Func<SimulationRandom, CaseModel> DrawCase)
{
    public bool Neutral => !AccuracyRegressed && !CostRegressed;
}
