namespace LlmGateway.Sampling.Capture;

/// <summary>How a captured response body is to be read.</summary>
internal enum BodyKind
{
    Other,
    Json,
    EventStream,
}
