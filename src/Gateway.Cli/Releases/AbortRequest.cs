using System.Text.Json;

namespace LlmGateway.Cli.Releases;

/// <summary>Body of <c>abort</c>; <see cref="Evidence"/> is any JSON object (metrics, an eval run id).</summary>
internal sealed record AbortRequest(string? Reason, JsonElement? Evidence, long? Revision);
