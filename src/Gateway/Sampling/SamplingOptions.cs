using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Sampling;

/// <summary>
/// How requests are sampled for offline evaluation and review, from <c>Gateway:Sampling</c>.
/// A release's own <c>sampling</c> field overrides the prompt rates.
/// </summary>
internal sealed class SamplingOptions
{
    public const string SectionName = "Gateway:Sampling";

    public bool Enabled { get; set; } = true;

    /// <summary>Share of a stable arm's requests kept.</summary>
    [Range(0d, 1d)]
    public double StableRate { get; set; } = 0.01;

    /// <summary>Share of a canary's requests kept: higher, so a small canary yields a comparable set.</summary>
    [Range(0d, 1d)]
    public double CanaryRate { get; set; } = 0.2;

    /// <summary>Share of pinned (evaluation) requests kept; evaluation runs record their own results.</summary>
    [Range(0d, 1d)]
    public double PinnedRate { get; set; }

    /// <summary>Samples per prompt version and arm per hour taken at a steady pace whatever the rate (0: no floor); a pace, not an hourly minimum (bursty traffic gets fewer).</summary>
    [Range(0, 100_000)]
    public int FloorPerHour { get; set; }

    /// <summary>Share of plain-model requests (no prompt) kept, unless a model or key says otherwise.</summary>
    [Range(0d, 1d)]
    public double PlainRate { get; set; }

    /// <summary>Rates for plain-model requests by catalog model name.</summary>
    public Dictionary<string, double> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Rates by gateway key id; the highest of key, model and plain rate applies.</summary>
    public Dictionary<string, double> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Header with which a key holding the <c>debug</c> permission forces a sample.</summary>
    [Required]
    public string ForceHeader { get; set; } = "X-Gateway-Sample";

    /// <summary>The most response bytes copied for a sample; past it the record is marked truncated.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxCaptureBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The most bytes of each request body (the client's, and the upstream one when it differs) copied
    /// for a sample; past it the body is cut, closed as JSON and marked (<c>…[truncated N bytes]</c>).
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyCaptureBytes { get; set; } = 256 * 1024;

    /// <summary>Cap on a stored sample's JSON; longer texts are cut with a marker.</summary>
    [Range(4096, 16 * 1024 * 1024)]
    public int MaxSampleBytes { get; set; } = 64 * 1024;

    /// <summary>Samples older than this are dropped from the store.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// At most this many samples kept per prompt, environment and kind (forced by a <c>debug</c> key, or drawn: rate,
    /// floor, shadow), so neither another environment's traffic nor forced samples push an arm's out; per model for
    /// plain requests. The oldest go first. A prompt served in E environments keeps up to 2 × E × this.
    /// </summary>
    [Range(10, 10_000_000)]
    public int MaxPerPrompt { get; set; } = 10_000;

    /// <summary>Samples waiting for the writer; beyond it new samples are dropped and counted.</summary>
    [Range(1, 1_000_000)]
    public int ChannelCapacity { get; set; } = 2_000;

    /// <summary>
    /// Bytes of captures (bodies and response) waiting for, or being built by, the writer. Once less than the largest
    /// capture (2 × <see cref="MaxBodyCaptureBytes"/> + <see cref="MaxCaptureBytes"/>) is left, new samples are dropped,
    /// whatever their size, and counted (<c>queue_bytes</c>). Whatever the clients send, sampling holds no more.
    /// </summary>
    [Range(typeof(long), "1048576", "17179869184")]
    public long MaxQueuedBytes { get; set; } = 64L * 1024 * 1024;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Put every stored sample's id on the evaluator work queue.</summary>
    public bool Enqueue { get; set; } = true;

    /// <summary>Claims not acknowledged within this time are redelivered.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan QueueVisibility { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Sample ids waiting in the evaluators' queue, at most; beyond, the oldest are given up (counted <c>not_queued</c>).
    /// A queue no evaluator drains would otherwise grow by every sample.
    /// </summary>
    [Range(1_000, 100_000_000)]
    public long QueueMaxReady { get; set; } = 1_000_000;

    /// <summary>
    /// Dead-lettered sample ids kept, at most; beyond, the oldest are dropped (their samples stay until the retention).
    /// An evaluator failing every sample (its judge down) would otherwise grow the list by every sample.
    /// </summary>
    [Range(1_000, 100_000_000)]
    public long QueueMaxDead { get; set; } = 100_000;

    /// <summary>Claims of one item before it is dead-lettered.</summary>
    [Range(1, 100)]
    public int QueueMaxAttempts { get; set; } = 5;

    /// <summary>Extra redaction patterns (name → regex) applied to every sample.</summary>
    public Dictionary<string, string> RedactionPatterns { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Extra redaction patterns per prompt name (name → regex), on top of the global ones.</summary>
    public Dictionary<string, Dictionary<string, string>> PromptRedactionPatterns { get; set; } = new(StringComparer.Ordinal);
}
