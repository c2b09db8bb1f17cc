using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>A whole comparison run, as written to JSON: how it was run, every phase's windows and summaries, and the goals.</summary>
/// <param name="Loss">The processes that ended during the run and stopped it; null when none did.</param>
internal sealed record CompareReport(
    DateTimeOffset StartedAt,
    string Command,
    MachineInfo Machine,
    CompareSettings Settings,
    IReadOnlyList<PhaseResult> Phases,
    IReadOnlyList<GoalCheck> Goals,
    ChildLoss? Loss = null);
