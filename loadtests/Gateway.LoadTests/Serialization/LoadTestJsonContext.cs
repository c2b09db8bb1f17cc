using System.Text.Json.Serialization;
using LlmGateway.LoadTests.Comparison;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Scenarios;

namespace LlmGateway.LoadTests.Serialization;

/// <summary>
/// Source-generated JSON for the request body, the stream chunks and the report. snake_case matches the
/// OpenAI wire format, and the report uses it too so one naming style runs through everything we write.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(LoadTestReport))]
[JsonSerializable(typeof(CompareReport))]
[JsonSerializable(typeof(RollbackReport))]
[JsonSerializable(typeof(OutageReport))]
[JsonSerializable(typeof(SoakReport))]
[JsonSerializable(typeof(ShadowTraffic.ShadowReport))]
internal sealed partial class LoadTestJsonContext : JsonSerializerContext;
