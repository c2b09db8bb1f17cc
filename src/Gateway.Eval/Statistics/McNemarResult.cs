namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Discordant pair counts and the exact two-sided p-value. <paramref name="BaselineOnly"/> (b) passed on the baseline
/// and failed on the candidate; <paramref name="CandidateOnly"/> (c) the reverse.
/// </summary>
internal sealed record McNemarResult(int BaselineOnly, int CandidateOnly, double P);
