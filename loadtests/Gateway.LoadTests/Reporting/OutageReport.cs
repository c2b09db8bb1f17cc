using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Reporting;

/// <summary><c>store-outage</c>: what the clients saw while the store was cut, and how the gateway came back.</summary>
/// <param name="ErrorsBefore">Failed requests sent before the cut.</param>
/// <param name="ErrorsDuring">Failed requests sent between the cut and the gateway reporting Healthy again.</param>
/// <param name="ErrorsAfter">Failed requests sent after that.</param>
/// <param name="ReadinessDuringOutage">Each distinct /readyz status seen while the store was away.</param>
/// <param name="RecoverySeconds">From giving the store back to /readyz reporting Healthy; null if it never did.</param>
internal sealed record OutageReport(
    DateTimeOffset StartedAt,
    string Command,
    MachineInfo Machine,
    double OutageSeconds,
    long RequestsDuringOutage,
    long ErrorsBefore,
    long ErrorsDuring,
    long ErrorsAfter,
    IReadOnlyDictionary<string, long> ErrorKindsDuring,
    IReadOnlyList<string> ReadinessDuringOutage,
    double? RecoverySeconds,
    double SamplesTakenDelta,
    double SamplesDroppedDelta,
    double UsageSamplesDroppedDelta,
    LoadTestReport Load);
