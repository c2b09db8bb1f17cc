namespace LlmGateway.LoadTests.Reporting;

/// <summary>
/// Where every request went. <see cref="Measured"/> = <see cref="Succeeded"/> + <see cref="Failed"/>; warmup and
/// interrupted requests were sent but are not measured; dropped ones (open model) were never sent.
/// </summary>
internal sealed record RequestCounts(long Sent, long Measured, long Succeeded, long Failed, long Warmup, long Interrupted, long Dropped);
