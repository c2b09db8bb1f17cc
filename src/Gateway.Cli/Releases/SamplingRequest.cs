using System.Text.Json.Serialization;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Cli.Releases;

/// <summary>
/// Body of <c>PUT …/releases/{env}/sampling</c>. <see cref="Sampling"/> is always written: <c>null</c>
/// is the reset to the configured defaults, not a field left out.
/// </summary>
internal sealed record SamplingRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ReleaseSampling? Sampling,
    string? Reason,
    long? Revision);
