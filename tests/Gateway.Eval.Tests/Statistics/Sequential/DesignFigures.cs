namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>One design's results on one scenario over all trials.</summary>
/// <param name="AccuracyRegressed">Share of trials whose accuracy verdict was regressed.</param>
/// <param name="CostRegressed">Share of trials whose cost verdict was regressed.</param>
/// <param name="GateFailed">Share of trials in which some gated metric regressed.</param>
/// <param name="CallsFraction">Mean calls spent, as a fraction of the fixed 10-repeat design's.</param>
internal sealed record DesignFigures(string Design, double AccuracyRegressed, double CostRegressed, double GateFailed, double CallsFraction);
