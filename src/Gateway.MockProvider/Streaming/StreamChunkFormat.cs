using System.Text.Json;
using LlmGateway.MockProvider.Contracts;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>
/// Chat and legacy completions streams: [opening chunk], content chunks, finish chunk, [usage chunk],
/// <c>[DONE]</c>. The envelope (id, object, created, model, choices, usage) is shared; subclasses write
/// the single choice. Written by hand rather than serialized because <c>"usage": null</c> must appear
/// only when the client asked for <c>include_usage</c>.
/// </summary>
internal abstract class StreamChunkFormat(string id, string objectType, long created, string model, bool includeUsage, TokenUsage usage)
    : IReplyStreamFormat
{
    public bool IncludeUsage => includeUsage;

    public virtual bool HasOpeningChunk => false;

    public Task OpenAsync(SseEventWriter events, CancellationToken cancellationToken) =>
        HasOpeningChunk ? events.WriteAsync(json => WriteChunk(json, ChunkKind.Opening), cancellationToken) : Task.CompletedTask;

    public Task ContentAsync(SseEventWriter events, string piece, CancellationToken cancellationToken) =>
        events.WriteAsync(json => WriteChunk(json, ChunkKind.Content, piece), cancellationToken);

    public async Task CloseAsync(SseEventWriter events, CancellationToken cancellationToken)
    {
        await events.WriteAsync(json => WriteChunk(json, ChunkKind.Finish), cancellationToken);
        if (includeUsage)
        {
            await events.WriteAsync(WriteUsageChunk, cancellationToken);
        }

        await events.WriteDoneAsync(cancellationToken);
    }

    public void WriteChunk(Utf8JsonWriter json, ChunkKind kind, string text = "")
    {
        WriteEnvelopeStart(json);
        WriteChoice(json, kind, text);
        WriteEnvelopeEnd(json, withUsage: false);
    }

    /// <summary>The trailing include_usage chunk: no choices, just the usage totals.</summary>
    public void WriteUsageChunk(Utf8JsonWriter json)
    {
        WriteEnvelopeStart(json);
        WriteEnvelopeEnd(json, withUsage: true);
    }

    protected abstract void WriteChoice(Utf8JsonWriter json, ChunkKind kind, string text);

    protected static void WriteFinishReason(Utf8JsonWriter json, ChunkKind kind)
    {
        if (kind == ChunkKind.Finish)
        {
            json.WriteString("finish_reason", "stop");
        }
        else
        {
            json.WriteNull("finish_reason");
        }
    }

    private void WriteEnvelopeStart(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", objectType);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
        json.WriteStartArray("choices");
    }

    private void WriteEnvelopeEnd(Utf8JsonWriter json, bool withUsage)
    {
        json.WriteEndArray();
        if (withUsage)
        {
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", usage.PromptTokens);
            json.WriteNumber("completion_tokens", usage.CompletionTokens);
            json.WriteNumber("total_tokens", usage.TotalTokens);
            WriteDetails(json, "prompt_tokens_details", usage.PromptTokensDetails);
            WriteDetails(json, "completion_tokens_details", usage.CompletionTokensDetails);
            json.WriteEndObject();
        }
        else if (includeUsage)
        {
            json.WriteNull("usage");
        }

        json.WriteEndObject();
    }

    private static void WriteDetails(Utf8JsonWriter json, string name, AudioTokensDetails? details)
    {
        if (details is not null)
        {
            json.WriteStartObject(name);
            json.WriteNumber("audio_tokens", details.AudioTokens);
            json.WriteEndObject();
        }
    }
}
