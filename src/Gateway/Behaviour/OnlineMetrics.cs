namespace LlmGateway.Behaviour;

/// <summary>
/// The metrics every sample gets, bundle or no bundle. Rate metrics count a bad event (1 = it happened, a
/// pass is its absence); the input metrics are how the traffic itself drifts.
/// </summary>
internal static class OnlineMetrics
{
    /// <summary>The request failed: an error status, an error message, or a stream cut before its end.</summary>
    public const string Error = "error";

    /// <summary><c>finish_reason: length</c>: the answer was cut by the output limit.</summary>
    public const string Truncation = "truncation";

    /// <summary>The model declined (OpenAI's <c>refusal</c> field, or the offline <c>is-refusal</c> heuristic on the text).</summary>
    public const string Refusal = "refusal";

    public const string OutputTokens = "output_tokens";
    public const string CostUsd = "cost_usd";
    public const string LatencyMs = "latency_ms";
    public const string TimeToFirstTokenMs = "ttft_ms";

    // Input drift.
    public const string InputTokens = "input_tokens";
    public const string MessageCount = "message_count";

    /// <summary>The request offered tools.</summary>
    public const string ToolUse = "tool_use";

    /// <summary>Most letters of the application's input are outside the Latin script (a cheap language-mix signal).</summary>
    public const string NonLatinInput = "non_latin_input";

    /// <summary>
    /// The metrics whose readings are also counted into histograms (<see cref="SeriesBucketField"/>), so a rollout can
    /// judge a quantile of them (<c>latency_ms.p95</c>), not only their mean.
    /// </summary>
    public static readonly IReadOnlySet<string> WithQuantiles = new HashSet<string>(StringComparer.Ordinal) { LatencyMs, TimeToFirstTokenMs };

    /// <summary>The names a bundle's own assertions may not take.</summary>
    public static readonly IReadOnlySet<string> BuiltIn = new HashSet<string>(StringComparer.Ordinal)
    {
        Error, Truncation, Refusal, OutputTokens, CostUsd, LatencyMs, TimeToFirstTokenMs, InputTokens, MessageCount, ToolUse, NonLatinInput,
    };
}
