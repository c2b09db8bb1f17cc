using System.Text.Json.Serialization;

namespace LlmGateway.Accounting;

/// <summary>
/// The tokens and cost of one proxied request, as far as the gateway could tell. <see cref="Source"/>
/// says whether the provider reported the usage or the gateway estimated it with a tokenizer.
/// Telemetry and sampling read it from the request's features.
/// </summary>
internal sealed record AccountingRecord(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("cached_input_tokens")] long CachedInputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("reasoning_tokens")] long ReasoningTokens,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("cost_usd")] decimal? CostUsd,
    [property: JsonPropertyName("finish_reason")] string? FinishReason,
    [property: JsonPropertyName("ttft_ms")] double? TimeToFirstTokenMs = null,
    [property: JsonPropertyName("response_model")] string? ResponseModel = null)
{
    /// <summary>The response started, then the provider's stream was cut or stalled: billed for what was generated.</summary>
    [JsonPropertyName("cut")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Cut { get; init; }

    /// <summary>Provider events the reader could not read (malformed JSON, invalid UTF-8, lone surrogates); passed through to the client all the same.</summary>
    [JsonPropertyName("unreadable_events")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int UnreadableEvents { get; init; }

    /// <summary>Calls of tools the provider runs (web and file search, code interpreter, …): their fees are in the cost.</summary>
    [JsonPropertyName("provider_tool_calls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ProviderToolCalls { get; init; }

    /// <summary>The audio part of <see cref="InputTokens"/>, as the provider reported it: billed at the model's audio input price.</summary>
    [JsonPropertyName("audio_input_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long AudioInputTokens { get; init; }

    /// <summary>The audio part of <see cref="OutputTokens"/>, as the provider reported it: billed at the model's audio output price.</summary>
    [JsonPropertyName("audio_output_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long AudioOutputTokens { get; init; }

    /// <summary>
    /// Attempts the provider had whole and went on with while the gateway left them (timed out, cut, or the client
    /// gone): included in the tokens and cost, each at its model's price, billed at the request's bound.
    /// </summary>
    [JsonPropertyName("abandoned_attempts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int AbandonedAttempts { get; init; }

    /// <summary>This record with an abandoned attempt's bill added (its cost unknown when either is).</summary>
    public AccountingRecord WithAbandoned(AccountingRecord attempt) => this with
    {
        InputTokens = InputTokens + attempt.InputTokens,
        OutputTokens = OutputTokens + attempt.OutputTokens,
        CostUsd = CostUsd is { } cost && attempt.CostUsd is { } more ? cost + more : null,
        AbandonedAttempts = AbandonedAttempts + 1,
    };

    public const string Reported = "reported";
    public const string Estimated = "estimated";

    /// <summary>The answer reached the client unread: its output is billed at the request's bound (output cap × choices).</summary>
    public const string Bounded = "bounded";
}
