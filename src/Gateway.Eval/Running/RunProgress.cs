namespace LlmGateway.Eval.Running;

/// <summary>A progress tick: runs done out of the total, how many came from the cache, how many failed, and the run just finished.</summary>
internal sealed record RunProgress(int Completed, int Total, int CacheHits, int Errors, RunRecord Last);
