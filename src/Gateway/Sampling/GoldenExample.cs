using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>
/// One line of the JSONL export: the golden-dataset format the evaluation pipeline reads. Input is
/// what the application sent (so a new version re-renders its own template), output is what the
/// sampled version answered (a baseline or a reference to review).
/// </summary>
internal sealed record GoldenExample(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("input")] SampleInput Input,
    [property: JsonPropertyName("output")] GoldenOutput Output,
    [property: JsonPropertyName("metadata")] GoldenMetadata Metadata)
{
    /// <summary>
    /// Whether the sample's input can be replayed as a case of the evaluation pipeline, which refuses a whole dataset
    /// for one line it cannot read: variables that are an object, messages that are chat messages with a role, and at
    /// least one of them. A sample cut to its bare form by the size cap, a body cut inside its messages (a marker in
    /// their place), or a Responses API or legacy-completions input (a string, items without a role) is not.
    /// </summary>
    public static bool IsReplayable(SampleInput input) =>
        (input.Messages is not null || input.Variables is not null)
        && input.Variables is null or JsonObject
        && input.Messages switch
        {
            null => true,
            JsonArray messages => messages.All(m => m is JsonObject message && message["role"] is JsonValue role && role.TryGetValue<string>(out var name) && !string.IsNullOrWhiteSpace(name)),
            _ => false,
        };

    /// <summary>
    /// Whether the sample's answer is a whole one the export can offer as the reference: the evaluation pipeline takes
    /// <c>output.text</c> as a case's expected answer, so a stream cut short, an answer the token limit stopped (its
    /// stored end may be trimmed too) or the provider's content filter stopped, a text cut by the size cap, a provider's
    /// or the gateway's error, or a request refused before it was sent would become the reference new versions are
    /// scored against (the online evaluator never scores such answers on their content either).
    /// </summary>
    public static bool HasWholeAnswer(SampleRecord record) =>
        record.Response is { Complete: true, Cut: false, Error: null, Status: < 400 } && !SampleBuilder.StoppedShort(record.Response.FinishReason) && !record.Refused;

    public static GoldenExample From(SampleRecord record) => new(
        record.Id,
        record.Input,
        new GoldenOutput(record.Response.Text, record.Response.ToolCalls, record.Response.FinishReason),
        new GoldenMetadata(record.Id, record.RequestId, record.Timestamp, record.Environment, record.Prompt, record.Version, record.Variant, record.Model, record.Response.Status, record.Truncated));
}
