using System.Text.Json;
using System.Text.Json.Serialization;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Admin;

/// <summary>
/// Body of <c>PUT …/releases/{env}/sampling</c>. <see cref="Sampling"/> must be written: <c>null</c> restores the
/// configured defaults, so an empty body or a forgotten field must not mean the same (it silently undid a policy).
/// </summary>
internal sealed record SamplingChangeRequest(
    [property: JsonPropertyName("sampling"), JsonRequired] ReleaseSampling? Sampling,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("revision")] long? Revision,
    [property: JsonPropertyName("evidence")] JsonElement? Evidence);
