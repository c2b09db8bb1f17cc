using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LlmGateway.Sampling;

/// <summary>The application's side of a sample: its messages and prompt variables, as a golden example's input.</summary>
internal sealed record SampleInput
{
    [JsonPropertyName("messages")]
    public JsonNode? Messages { get; init; }

    [JsonPropertyName("variables")]
    public JsonNode? Variables { get; init; }
}
