using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>One system of a comparison and the processes whose costs are charged to it.</summary>
/// <param name="Process">The process serving <paramref name="Url"/> (for direct, the mock itself).</param>
/// <param name="Store">The gateway's store when it runs in a process of its own: its CPU and RSS are the gateway's too.</param>
/// <param name="Metrics">The gateway's own <c>/metrics</c>, read as a cross-check of the allocation counter; null for the others.</param>
internal sealed record CompareTarget(string System, Uri Url, ChildProcess Process, IWatchedProcess? Store, GatewayProbe? Metrics);
