using LlmGateway.Accounting;

namespace LlmGateway.Sampling;

/// <summary>
/// What the hot path hands over for a sampled request: raw bytes and figures only. Parsing,
/// reassembly, redaction and capping happen in <see cref="SampleWriter"/>, off the request path.
/// </summary>
internal sealed record SampleCapture
{
    public required string Id { get; init; }

    public required string RequestId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string Reason { get; init; }

    public string? Environment { get; init; }

    public string? Prompt { get; init; }

    public int? Version { get; init; }

    public string? Variant { get; init; }

    public required string Model { get; init; }

    public required string Provider { get; init; }

    public required string KeyId { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>The body the application sent.</summary>
    public required ReadOnlyMemory<byte> ClientBody { get; init; }

    /// <summary>The body forwarded upstream, when the gateway changed it.</summary>
    public ReadOnlyMemory<byte>? UpstreamBody { get; init; }

    public int Status { get; init; }

    public string? ContentType { get; init; }

    public required byte[] ResponseBody { get; init; }

    public bool ResponseTruncated { get; init; }

    public AccountingRecord? Usage { get; init; }

    public double LatencyMs { get; init; }

    /// <summary>Why the request failed when no provider body says so (a timeout, a refused connection).</summary>
    public string? FailureNote { get; init; }
}
