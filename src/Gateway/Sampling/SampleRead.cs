namespace LlmGateway.Sampling;

/// <summary>
/// One sample read back from the store: its record, null when none is stored (trimmed or expired), or the error
/// that made its stored bytes unreadable, so one bad record fails alone and not the batch it was read with.
/// </summary>
internal readonly record struct SampleRead(SampleRecord? Record, Exception? Error);
