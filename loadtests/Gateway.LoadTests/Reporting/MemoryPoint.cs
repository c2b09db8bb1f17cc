namespace LlmGateway.LoadTests.Reporting;

/// <summary>One reading of the proxy's memory during a soak; <paramref name="GcHeapMb"/> is null when the metric is absent.</summary>
internal sealed record MemoryPoint(double Seconds, double RssMb, double? GcHeapMb);
