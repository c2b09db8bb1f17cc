using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Reporting;

/// <summary>A side-by-side run: the same load against each system, one after the other, on the same machine.</summary>
internal sealed record ComparisonReport(
    DateTimeOffset StartedAt,
    string Command,
    MachineInfo Machine,
    string Scenario,
    string Load,
    IReadOnlyList<string> Headers,
    IReadOnlyList<SystemResult> Systems);
