namespace LlmGateway.Proxy;

/// <summary>What one pass over the request JSON found, with byte offsets for splicing.</summary>
internal readonly record struct RequestScan(
    string? Model,
    int ModelTokenStart,
    int ModelTokenLength,
    bool Stream,
    string? Error)
{
    public bool IsValid => Error is null;

    public static RequestScan Invalid(string error) => new(null, -1, 0, false, error);
}
