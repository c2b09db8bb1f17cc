namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>What <see cref="QuantileSimulation"/> measured for one scenario, as shares of its trials.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Trials">Seeded trials.</param>
/// <param name="Harmful">The p95 was called harmful at some look.</param>
/// <param name="Acceptable">The p95 was called acceptable at some look before any harmful call.</param>
/// <param name="MeanHarmful">The mean latency (+20% relative) was called harmful at some look, on the same readings.</param>
/// <param name="MedianMinutesToHarmful">Of the trials called harmful, the median minutes to it.</param>
/// <param name="MedianMinutesToAcceptable">Of the trials called acceptable, the median minutes to it.</param>
public sealed record QuantileScenarioFigures(
    QuantileScenario Scenario,
    int Trials,
    double Harmful,
    double Acceptable,
    double MeanHarmful,
    double? MedianMinutesToHarmful,
    double? MedianMinutesToAcceptable);
