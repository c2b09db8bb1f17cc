using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Reporting;

/// <summary><c>rollback-under-load</c>: propagation per flip, summarised, and the load report (errors included).</summary>
internal sealed record RollbackReport(
    DateTimeOffset StartedAt,
    string Command,
    MachineInfo Machine,
    string Flip,
    double RevalidationIntervalMs,
    IReadOnlyList<FlipResult> Flips,
    double PropagationP50Ms,
    double PropagationP99Ms,
    double PropagationMaxMs,
    int NotPropagated,
    LoadTestReport Load);
