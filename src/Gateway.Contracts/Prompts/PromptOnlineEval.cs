using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>
/// The bundle's <c>online_eval</c> block: reference-free assertions the gateway's evaluators run on every sampled
/// live response of this version (the offline engine's scorers, the same code), and the judge that grades
/// <c>llm-rubric</c> assertions. Error, truncation, refusal, tokens, cost, latency and input drift are scored for every
/// sample whether or not the block is present.
/// </summary>
public sealed record PromptOnlineEval
{
    /// <summary>
    /// Assertions in the offline engine's shape (<c>{"type":"is-json","metric":"format"}</c>); each becomes the series
    /// named by its <c>metric</c> (else its type). Types that need a reference answer or case vars are refused.
    /// </summary>
    [JsonPropertyName("assert")]
    public IReadOnlyList<JsonElement>? Assert { get; init; }

    [JsonPropertyName("judge")]
    public PromptOnlineJudge? Judge { get; init; }
}
