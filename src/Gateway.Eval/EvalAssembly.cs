namespace LlmGateway.Eval;

/// <summary>Marks the evaluation engine's assembly (scorers, statistics, verdicts).</summary>
internal static class EvalAssembly
{
    public const string Name = "Gateway.Eval";
}
