namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>
/// One simulated case's truth: each version's pass probability on it, its size in USD, and the candidate's cost
/// factor. Runs are drawn from it independently, so run-to-run noise is real and repeats average it away.
/// </summary>
internal readonly record struct CaseModel(double BaselinePass, double CandidatePass, double Size, double CostFactor);
