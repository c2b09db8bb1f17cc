using LlmGateway.Contracts.EvalRuns;

namespace LlmGateway.EvalRuns;

/// <summary>A stored <see cref="EvalRun"/> as the admin API lists it beside its version (<see cref="EvalRunSummary"/>).</summary>
internal static class EvalRunSummaries
{
    public static EvalRunSummary From(EvalRun run) => new()
    {
        Id = run.Id,
        Verdict = run.Verdict,
        BaselineVersion = run.Baseline?.Version,
        CreatedAt = run.CreatedAt,
        Metrics = [.. (run.Metrics ?? []).Where(m => m.Gated)],
    };
}
