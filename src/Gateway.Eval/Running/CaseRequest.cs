using LlmGateway.Eval.Datasets;

namespace LlmGateway.Eval.Running;

/// <summary>One call to make: a case against a pinned prompt version with the repeat's seed.</summary>
internal sealed record CaseRequest(PromptTarget Target, EvalCase Case, long Seed);
