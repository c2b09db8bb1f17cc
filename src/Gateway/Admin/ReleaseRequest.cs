using System.Text.Json;
using System.Text.Json.Serialization;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Admin;

/// <summary>Body of every release change; each action reads the fields it needs.</summary>
internal sealed record ReleaseRequest(
    [property: JsonPropertyName("version")] int? Version,
    [property: JsonPropertyName("weight")] int? Weight,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("revision")] long? Revision,
    [property: JsonPropertyName("evidence")] JsonElement? Evidence,
    [property: JsonPropertyName("sampling")] ReleaseSampling? Sampling = null);
