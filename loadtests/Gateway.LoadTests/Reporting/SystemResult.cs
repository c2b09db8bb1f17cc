namespace LlmGateway.LoadTests.Reporting;

/// <summary>One system of a comparison: the generator's report and the proxy process's memory under that load.</summary>
/// <param name="PeakRssMb">Highest resident set of the proxy process sampled during the run; null for <c>direct</c> (no proxy).</param>
internal sealed record SystemResult(string System, string Scenario, double? PeakRssMb, string LoadAverageBefore, LoadTestReport Report);
