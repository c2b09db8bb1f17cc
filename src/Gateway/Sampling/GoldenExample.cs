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
    public static GoldenExample From(SampleRecord record) => new(
        record.Id,
        record.Input,
        new GoldenOutput(record.Response.Text, record.Response.ToolCalls, record.Response.FinishReason),
        new GoldenMetadata(record.Id, record.RequestId, record.Timestamp, record.Environment, record.Prompt, record.Version, record.Variant, record.Model, record.Response.Status, record.Truncated));
}
