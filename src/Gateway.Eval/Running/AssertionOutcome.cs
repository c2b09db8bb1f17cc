using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>One assertion and how it scored on one run.</summary>
internal sealed record AssertionOutcome(AssertionSpec Assertion, ScoreResult Result);
