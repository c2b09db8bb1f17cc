namespace LlmGateway.LoadTests.Reporting;

/// <summary>The results of one run: what the text table shows and the JSON file holds.</summary>
/// <param name="MeasuredSeconds">From the end of the warmup until the last request finished.</param>
/// <param name="ThroughputPerSecond">Measured requests (succeeded or failed) per measured second.</param>
/// <param name="Latency">From each request's intended start; in the closed model that is its actual start.</param>
internal sealed record LoadTestReport(
    DateTimeOffset StartedAt,
    RunSettings Settings,
    string StopReason,
    double MeasuredSeconds,
    RequestCounts Requests,
    double ThroughputPerSecond,
    double SucceededPerSecond,
    long ResponseBytes,
    long ContentChunks,
    LatencySummary? Latency,
    LatencySummary? ServiceTime,
    LatencySummary? TimeToFirstToken,
    LatencySummary? InterChunkGap,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> ResponseTags);
