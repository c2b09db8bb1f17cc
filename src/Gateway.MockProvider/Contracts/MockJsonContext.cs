using System.Text.Json.Serialization;

namespace LlmGateway.MockProvider.Contracts;

/// <summary>Source-generated serializers for every non-streamed response body (no reflection on the hot path).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(TextCompletion))]
[JsonSerializable(typeof(EmbeddingList<float[]>), TypeInfoPropertyName = "FloatEmbeddingList")]
[JsonSerializable(typeof(EmbeddingList<string>), TypeInfoPropertyName = "Base64EmbeddingList")]
[JsonSerializable(typeof(ModelResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(IReadOnlyList<ReceivedRequest>))]
internal sealed partial class MockJsonContext : JsonSerializerContext;
