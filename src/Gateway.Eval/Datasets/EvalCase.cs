using System.Collections.Frozen;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// One case of a dataset: what to send (vars for the prompt's template and/or chat messages), what to check
/// (its own assertions; the config's default assertions are added by the runner), and where it came from.
/// </summary>
internal sealed record EvalCase
{
    /// <summary>The case's id, unique within its dataset; pairs a baseline run with its candidate run.</summary>
    public required string Id { get; init; }

    /// <summary>The prompt's template variables, sent as <c>prompt_variables</c>; also the scorers' <c>{{ name }}</c> vars.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Vars { get; init; }

    /// <summary>OpenAI chat messages (a JSON array of objects with a <c>role</c>), sent as <c>messages</c>.</summary>
    public JsonElement? Messages { get; init; }

    /// <summary>The case's own assertions.</summary>
    public IReadOnlyList<AssertionSpec> Assertions { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, JsonElement> Metadata { get; init; } = FrozenDictionary<string, JsonElement>.Empty;

    /// <summary>
    /// The reference output: <c>expected</c> in the native format, <c>output.text</c> in the gateway's sample export.
    /// Reference-based scorers (<c>equals</c>, <c>similar</c>, <c>rouge-l</c>, <c>levenshtein</c>) use it when their value is absent.
    /// </summary>
    public string? Expected { get; init; }

    /// <summary>The reference tool calls (sample export's <c>output.tool_calls</c>), kept for reports.</summary>
    public IReadOnlyList<ToolCall> ExpectedToolCalls { get; init; } = [];

    /// <summary>The 1-based line the case was read from, for error messages.</summary>
    public int Line { get; init; }
}
