namespace LlmGateway.LoadTests.Comparison;

/// <summary>Everything one phase measured: its warm-ups, every window of every round, and the per-system summaries.</summary>
/// <param name="Store">The store's own memory accounting, read at the end of the phase; null when it could not be read.</param>
/// <param name="RoundsCompleted">Fewer than asked when the run was interrupted.</param>
internal sealed record PhaseResult(
    string Name,
    string Scenario,
    string Load,
    bool OpenModel,
    double? RatePerSecond,
    int? Concurrency,
    double WarmupSeconds,
    double WindowSeconds,
    int RoundsCompleted,
    IReadOnlyList<WarmupResult> Warmups,
    IReadOnlyList<WindowResult> Windows,
    IReadOnlyList<TargetSummary> Targets,
    StoreMemory? Store)
{
    public TargetSummary? Of(string system) => Targets.FirstOrDefault(t => t.System == system);
}
