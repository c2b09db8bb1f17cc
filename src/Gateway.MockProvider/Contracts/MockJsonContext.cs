using System.Text.Encodings.Web;
using System.Text.Json;
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
internal sealed partial class MockJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Like the real API, emit quotes and non-ASCII text unescaped: bodies go to API clients, never into HTML.
    /// Handlers use this instance rather than <c>Default</c>. Deep enough for a request's tool schema echoed in a response
    /// (the gateway admits requests 128 deep; the default stops writing at 64).
    /// </summary>
    public static MockJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 256,
    });
}
