namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>One simulated version's true levels (<see cref="RolloutSimulation"/>).</summary>
internal readonly record struct SimulatedLevels(double ErrorRate, double RefusalRate, double CostMean, double TokensMean, double LatencyMean)
{
    public static SimulatedLevels Of(SimulatedCanary canary)
    {
        var stable = new SimulatedLevels(
            RolloutSimulation.ErrorBaseline, RolloutSimulation.RefusalBaseline, RolloutSimulation.CostMean, RolloutSimulation.TokensMean, RolloutSimulation.LatencyMean);
        return canary switch
        {
            SimulatedCanary.ErrorRatePlus5Points => stable with { ErrorRate = stable.ErrorRate + 0.05 },
            SimulatedCanary.RefusalRatePlus10Points => stable with { RefusalRate = stable.RefusalRate + 0.10 },
            SimulatedCanary.CostPlus40Percent => stable with { CostMean = stable.CostMean * 1.4 },
            SimulatedCanary.LatencyPlus50Percent => stable with { LatencyMean = stable.LatencyMean * 1.5 },
            _ => stable,
        };
    }
}
