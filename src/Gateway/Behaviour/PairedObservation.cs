namespace LlmGateway.Behaviour;

/// <summary>One metric read on both answers to the same request: the stable version's (served) and the candidate's (shadow).</summary>
internal readonly record struct PairedObservation(string Metric, double Stable, double Candidate);
