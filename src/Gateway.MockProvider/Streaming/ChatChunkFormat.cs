using System.Text.Json;
using LlmGateway.MockProvider.Contracts;

namespace LlmGateway.MockProvider.Streaming;

/// <summary><c>chat.completion.chunk</c>: <c>choices[{index, delta, finish_reason}]</c>.</summary>
internal sealed class ChatChunkFormat(string id, long created, string model, bool includeUsage, TokenUsage usage)
    : StreamChunkFormat(id, "chat.completion.chunk", created, model, includeUsage, usage)
{
    public override bool HasOpeningChunk => true;

    protected override void WriteChoice(Utf8JsonWriter json, ChunkKind kind, string text)
    {
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        switch (kind)
        {
            case ChunkKind.Opening:
                json.WriteString("role", "assistant");
                json.WriteString("content", string.Empty);
                break;
            case ChunkKind.Content:
                json.WriteString("content", text);
                break;
        }

        json.WriteEndObject();
        WriteFinishReason(json, kind);
        json.WriteEndObject();
    }
}
