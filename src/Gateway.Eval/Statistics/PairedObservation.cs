namespace LlmGateway.Eval.Statistics;

/// <summary>One metric's value for one case and repeat, measured on both versions: the unit of pairing.</summary>
internal readonly record struct PairedObservation(string CaseId, int Repeat, double Baseline, double Candidate);
