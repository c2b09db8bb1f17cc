namespace LlmGateway.LoadTests.Comparison;

/// <summary>Everything one phase measured: its warm-ups, every window of every round, and the per-system summaries.</summary>
/// <param name="Store">The store's own memory accounting, read at the end of the phase; null when it could not be read.</param>
/// <param name="RoundsCompleted">Fewer than asked when the run was interrupted.</param>
/// <param name="StoppedBy">
/// Why the phase stopped before its last window, or never ran: a process of the run ended (<see cref="Harness.ChildLoss.Reason"/>).
/// Its windows so far are kept, the window cut short is not, and every goal read from it is not met.
/// </param>
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
    StoreMemory? Store,
    string? StoppedBy = null)
{
    public TargetSummary? Of(string system) => Targets.FirstOrDefault(t => t.System == system);

    /// <summary>A phase the run never reached because a process ended before it: its systems, with no window each.</summary>
    public static PhaseResult NotRun(ComparePhase phase, IReadOnlyList<string> systems, string reason) => new(
        phase.Name,
        phase.ScenarioName,
        phase.Describe(),
        phase.IsOpenModel,
        phase.Load.Rate,
        phase.IsOpenModel ? null : phase.Load.Concurrency,
        phase.Load.WarmupSeconds,
        phase.Load.DurationSeconds,
        RoundsCompleted: 0,
        Warmups: [],
        Windows: [],
        Targets: [.. systems.Select(system => TargetSummary.From(system, ComparePhase.NameOf(phase.SentAs(system)), [], null, null, 0))],
        Store: null,
        StoppedBy: reason);
}
