using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>A whole comparison run, as written to JSON: how it was run, every phase's windows and summaries, and the goals.</summary>
internal sealed record CompareReport(
    DateTimeOffset StartedAt,
    string Command,
    MachineInfo Machine,
    CompareSettings Settings,
    IReadOnlyList<PhaseResult> Phases,
    IReadOnlyList<GoalCheck> Goals);
