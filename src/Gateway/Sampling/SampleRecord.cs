using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LlmGateway.Accounting;

namespace LlmGateway.Sampling;

/// <summary>
/// One stored request/response pair, redacted and size-capped: what offline evaluation and human
/// review read. Stored as this JSON at <c>{prefix}:{samples}:s:{id}</c>.
/// </summary>
internal sealed record SampleRecord
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("request_id")]
    public required string RequestId { get; init; }

    [JsonPropertyName("timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Why it was kept: <see cref="SampleReasons"/>.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    [JsonPropertyName("environment")]
    public string? Environment { get; init; }

    [JsonPropertyName("prompt")]
    public string? Prompt { get; init; }

    [JsonPropertyName("version")]
    public int? Version { get; init; }

    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    /// <summary>A shadow sample (variant <c>shadow</c>): the id of the stable sample whose request it answered too.</summary>
    [JsonPropertyName("paired_with")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PairedWith { get; init; }

    /// <summary>
    /// The request's assignment unit (what put it on its arm: its session, else its user, else its gateway key), as a
    /// salted hash (<see cref="AssignmentUnits"/>), never the key itself. Requests of one unit all land on one arm, so a
    /// rollout step counts distinct units, not only samples. Null on pinned and shadow samples, and on older records.
    /// </summary>
    [JsonPropertyName("unit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Unit { get; init; }

    /// <summary>The catalog model that served the request.</summary>
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("provider")]
    public required string Provider { get; init; }

    /// <summary>The gateway key's id; never its secret.</summary>
    [JsonPropertyName("key_id")]
    public required string KeyId { get; init; }

    [JsonPropertyName("endpoint")]
    public required string Endpoint { get; init; }

    /// <summary>What the application sent: its own messages and prompt variables (before rendering).</summary>
    [JsonPropertyName("input")]
    public required SampleInput Input { get; init; }

    /// <summary>The upstream request as forwarded (rendered messages, parameters, tools); null when nothing was (<see cref="Refused"/>).</summary>
    [JsonPropertyName("request")]
    public JsonNode? Request { get; init; }

    /// <summary>
    /// The gateway refused the request because of the prompt version that was to serve it (a render or rewrite that
    /// failed, an output limit of the version's model), before sending anything: a failed answer of that version and
    /// arm, with no time to read.
    /// </summary>
    [JsonPropertyName("refused")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Refused { get; init; }

    [JsonPropertyName("response")]
    public required SampleResponse Response { get; init; }

    /// <summary>Tokens and cost, with their source (reported or estimated); null when nothing was billed.</summary>
    [JsonPropertyName("usage")]
    public AccountingRecord? Usage { get; init; }

    [JsonPropertyName("latency_ms")]
    public double LatencyMs { get; init; }

    [JsonPropertyName("ttft_ms")]
    public double? TimeToFirstTokenMs { get; init; }

    /// <summary>Replacements made before storage, by kind (email, card, api_key, ...).</summary>
    [JsonPropertyName("redactions")]
    public IReadOnlyDictionary<string, int> Redactions { get; init; } = new Dictionary<string, int>();

    /// <summary>True when a field was cut to keep the sample under its size cap (the cut is marked in the text).</summary>
    [JsonPropertyName("truncated")]
    public bool Truncated { get; init; }
}
