namespace LlmGateway.Sampling;

/// <summary>
/// A built sample and its stored form: the UTF-8 JSON its size was measured on (<see cref="SampleSizeCap.Fit"/>), so
/// the writer stores those bytes instead of serializing the record a second time.
/// </summary>
internal sealed record SerializedSample(SampleRecord Record, byte[] Json);
