using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Proxy;

/// <summary>Request handling limits, from <c>Gateway:Proxy</c>.</summary>
internal sealed class ProxyOptions
{
    public const string SectionName = "Gateway:Proxy";

    /// <summary>
    /// The default of <see cref="MaxProviderLineBytes"/>: 12 MB. With the default request limit (8 MB) the cap in force
    /// is 16 MB (<see cref="EffectiveMaxProviderLineBytes"/>): a Responses stream's lifecycle events echo the request.
    /// </summary>
    public const int DefaultMaxProviderLineBytes = 12 * 1024 * 1024;

    /// <summary>Largest request body accepted; bigger ones get 413 before anything is forwarded.</summary>
    [Range(1024, 512L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// Longest a request body may take to arrive once it has not come in one read; past it: 408 <c>request_timeout</c>.
    /// Kestrel's minimum upload rate is an average since the body began (240 B/s), so a client that sends megabytes
    /// at once and then stalls would otherwise hold its buffer, and its key's concurrency place, for hours.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Longest line (and longest event's data) a provider's event stream may send. Every buffer that holds a
    /// provider line is capped by it (and grows only as far as the lines it holds); a longer line ends the stream with an
    /// SSE error event (<c>upstream_stream_oversized</c>) and the request is billed as cut. The cap in force is never
    /// below twice <see cref="MaxRequestBodyBytes"/> (<see cref="EffectiveMaxProviderLineBytes"/>).
    /// </summary>
    [Range(16 * 1024, 256 * 1024 * 1024)]
    public int MaxProviderLineBytes { get; set; } = DefaultMaxProviderLineBytes;

    /// <summary>
    /// The line cap in force: <see cref="MaxProviderLineBytes"/>, or twice <see cref="MaxRequestBodyBytes"/> when that is
    /// more, since a Responses stream's lifecycle events echo the request (its instructions and tools, re-escaped) on one
    /// line. A buffer grows only as far as the lines it holds.
    /// </summary>
    public int EffectiveMaxProviderLineBytes => (int)Math.Min(int.MaxValue, Math.Max(MaxProviderLineBytes, 2 * MaxRequestBodyBytes));

    /// <summary>
    /// Requests one gateway key may have in flight at once on this instance; one more gets 429
    /// <c>rate_limit_exceeded</c> at once. 0 (the default) turns the limit off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxConcurrentRequestsPerKey { get; set; }
}
