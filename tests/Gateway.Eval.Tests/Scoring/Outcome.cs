namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>The three things a table row can expect of an assertion.</summary>
public enum Outcome
{
    Pass,
    Fail,
    Error,
}
