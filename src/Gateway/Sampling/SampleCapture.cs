using LlmGateway.Accounting;

namespace LlmGateway.Sampling;

/// <summary>
/// What the hot path hands over for a sampled request: raw bytes and figures only. Parsing,
/// reassembly, redaction and capping happen in <see cref="SampleWriter"/>, off the request path.
/// Each body is at most <see cref="SamplingOptions.MaxBodyCaptureBytes"/>; what was cut off is counted.
/// </summary>
internal sealed record SampleCapture
{
    /// <summary>What a capture costs besides its bodies (the record, its strings, the usage record), counted against the queue's bytes.</summary>
    public const int Overhead = 1024;

    public required string Id { get; init; }

    public required string RequestId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string Reason { get; init; }

    public string? Environment { get; init; }

    public string? Prompt { get; init; }

    public int? Version { get; init; }

    public string? Variant { get; init; }

    /// <summary>A shadow call's sample: the stable sample it is paired with.</summary>
    public string? PairedWith { get; init; }

    /// <summary>
    /// The key the request was assigned to its arm by, and the release's salt: in memory only, never stored (it can be a
    /// user's id); the writer keeps only its hash (<see cref="SampleRecord.Unit"/>).
    /// </summary>
    public string? Stickiness { get; init; }

    public string? StickinessSalt { get; init; }

    public required string Model { get; init; }

    public required string Provider { get; init; }

    public required string KeyId { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>The body the application sent (its first bytes, when it was longer than the cap).</summary>
    public required ReadOnlyMemory<byte> ClientBody { get; init; }

    /// <summary>Bytes of the client's body past the cap, not copied (0: whole).</summary>
    public int ClientBodyOmitted { get; init; }

    /// <summary>The body forwarded upstream, when the gateway changed it (its first bytes, when longer than the cap).</summary>
    public ReadOnlyMemory<byte>? UpstreamBody { get; init; }

    /// <summary>Bytes of the upstream body past the cap, not copied (0: whole).</summary>
    public int UpstreamBodyOmitted { get; init; }

    public int Status { get; init; }

    public string? ContentType { get; init; }

    public required byte[] ResponseBody { get; init; }

    public bool ResponseTruncated { get; init; }

    /// <summary>The client got the whole answer (nothing failed, the client stayed): a capture cut at its cap is then a prefix of a complete answer.</summary>
    public bool AnswerWhole { get; init; }

    /// <summary>
    /// The client hung up while the answer was still coming (the provider not silent, nothing failed): a user pressing stop.
    /// </summary>
    public bool ClientLeftMidAnswer { get; init; }

    public AccountingRecord? Usage { get; init; }

    public double LatencyMs { get; init; }

    /// <summary>Why the request failed when no provider body says so (a timeout, a refused connection).</summary>
    public string? FailureNote { get; init; }

    /// <summary>The gateway refused the request for its prompt version before sending anything (<see cref="Pipeline.ExchangeResult.Refused"/>).</summary>
    public bool Refused { get; init; }

    /// <summary>The bytes reserved for this capture in the recorder's queue; released once the writer has built it, or when it is dropped.</summary>
    public long QueuedBytes { get; init; }

    /// <summary>What a capture of these sizes counts against <see cref="SamplingOptions.MaxQueuedBytes"/>.</summary>
    public static long Cost(int clientBytes, int upstreamBytes, int responseBytes) => (long)Overhead + clientBytes + upstreamBytes + responseBytes;

    /// <summary>The most one capture can cost under the per-capture caps (both bodies and the response cut at their caps).</summary>
    public static long Largest(SamplingOptions options) => Cost(options.MaxBodyCaptureBytes, options.MaxBodyCaptureBytes, options.MaxCaptureBytes);
}
