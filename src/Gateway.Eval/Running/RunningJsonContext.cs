using System.Text.Json.Serialization;

namespace LlmGateway.Eval.Running;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(CachedExecution))]
internal sealed partial class RunningJsonContext : JsonSerializerContext;
