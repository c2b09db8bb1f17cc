namespace LlmGateway.Eval.Running;

/// <summary>Which version a run belongs to.</summary>
internal enum RunSide
{
    Baseline,
    Candidate,
}
