using System.Text.Json;
using LlmGateway.MockProvider.Contracts;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>Legacy <c>text_completion</c> chunk: <c>choices[{text, index, finish_reason}]</c>, no role chunk.</summary>
internal sealed class CompletionChunkFormat(string id, long created, string model, bool includeUsage, TokenUsage usage)
    : StreamChunkFormat(id, "text_completion", created, model, includeUsage, usage)
{
    protected override void WriteChoice(Utf8JsonWriter json, ChunkKind kind, string text)
    {
        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteNumber("index", 0);
        WriteFinishReason(json, kind);
        json.WriteEndObject();
    }
}
