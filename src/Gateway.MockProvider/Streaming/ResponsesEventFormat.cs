using System.Text.Json;
using LlmGateway.MockProvider.Contracts;

namespace LlmGateway.MockProvider.Streaming;

/// <summary>
/// A Responses API stream, as OpenAI sends it: named events with a <c>sequence_number</c> —
/// <c>response.created</c>, <c>response.in_progress</c>, <c>response.output_item.added</c>,
/// <c>response.content_part.added</c>, one <c>response.output_text.delta</c> per piece,
/// <c>response.output_text.done</c>, <c>response.content_part.done</c>, <c>response.output_item.done</c>,
/// then <c>response.completed</c> with the whole response and its <c>usage</c>. No <c>[DONE]</c>. Every response object
/// echoes the request's <c>tools</c> and <c>text</c> when it had them.
/// </summary>
internal sealed class ResponsesEventFormat(
    string id, string messageId, long createdAt, string model, string reply, ResponseUsage usage, JsonElement? tools = null, JsonElement? text = null)
    : IReplyStreamFormat
{
    private int _sequence;

    public async Task OpenAsync(SseEventWriter events, CancellationToken cancellationToken)
    {
        await WriteResponseEventAsync(events, "response.created", "in_progress", cancellationToken);
        await WriteResponseEventAsync(events, "response.in_progress", "in_progress", cancellationToken);
        await events.WriteAsync("response.output_item.added", json =>
        {
            Start(json, "response.output_item.added");
            json.WriteNumber("output_index", 0);
            json.WritePropertyName("item");
            WriteMessage(json, "in_progress", text: null);
            json.WriteEndObject();
        }, cancellationToken);
        await events.WriteAsync("response.content_part.added", json =>
        {
            StartPart(json, "response.content_part.added");
            json.WritePropertyName("part");
            WriteOutputText(json, "");
            json.WriteEndObject();
        }, cancellationToken);
    }

    public Task ContentAsync(SseEventWriter events, string piece, CancellationToken cancellationToken) =>
        events.WriteAsync("response.output_text.delta", json =>
        {
            StartPart(json, "response.output_text.delta");
            json.WriteString("delta", piece);
            json.WriteStartArray("logprobs");
            json.WriteEndArray();
            json.WriteEndObject();
        }, cancellationToken);

    public async Task CloseAsync(SseEventWriter events, CancellationToken cancellationToken)
    {
        await events.WriteAsync("response.output_text.done", json =>
        {
            StartPart(json, "response.output_text.done");
            json.WriteString("text", reply);
            json.WriteStartArray("logprobs");
            json.WriteEndArray();
            json.WriteEndObject();
        }, cancellationToken);
        await events.WriteAsync("response.content_part.done", json =>
        {
            StartPart(json, "response.content_part.done");
            json.WritePropertyName("part");
            WriteOutputText(json, reply);
            json.WriteEndObject();
        }, cancellationToken);
        await events.WriteAsync("response.output_item.done", json =>
        {
            Start(json, "response.output_item.done");
            json.WriteNumber("output_index", 0);
            json.WritePropertyName("item");
            WriteMessage(json, "completed", reply);
            json.WriteEndObject();
        }, cancellationToken);
        await WriteResponseEventAsync(events, "response.completed", "completed", cancellationToken);
    }

    private Task WriteResponseEventAsync(SseEventWriter events, string type, string status, CancellationToken cancellationToken) =>
        events.WriteAsync(type, json =>
        {
            Start(json, type);
            json.WritePropertyName("response");
            WriteResponse(json, status);
            json.WriteEndObject();
        }, cancellationToken);

    private void Start(Utf8JsonWriter json, string type)
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteNumber("sequence_number", _sequence++);
    }

    private void StartPart(Utf8JsonWriter json, string type)
    {
        Start(json, type);
        json.WriteString("item_id", messageId);
        json.WriteNumber("output_index", 0);
        json.WriteNumber("content_index", 0);
    }

    /// <summary>The response object: output and usage only once it is completed.</summary>
    private void WriteResponse(Utf8JsonWriter json, string status)
    {
        var completed = status == "completed";
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "response");
        json.WriteNumber("created_at", createdAt);
        json.WriteString("status", status);
        json.WriteNull("error");
        json.WriteNull("incomplete_details");
        json.WriteString("model", model);
        json.WriteStartArray("output");
        if (completed)
        {
            WriteMessage(json, "completed", reply);
        }

        json.WriteEndArray();
        if (completed)
        {
            json.WriteStartObject("usage");
            json.WriteNumber("input_tokens", usage.InputTokens);
            json.WriteStartObject("input_tokens_details");
            json.WriteNumber("cached_tokens", 0);
            json.WriteEndObject();
            json.WriteNumber("output_tokens", usage.OutputTokens);
            json.WriteStartObject("output_tokens_details");
            json.WriteNumber("reasoning_tokens", 0);
            json.WriteEndObject();
            json.WriteNumber("total_tokens", usage.TotalTokens);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("usage");
        }

        if (tools is { } echoedTools)
        {
            json.WritePropertyName("tools");
            echoedTools.WriteTo(json);
        }

        if (text is { } echoedText)
        {
            json.WritePropertyName("text");
            echoedText.WriteTo(json);
        }

        json.WriteEndObject();
    }

    private void WriteMessage(Utf8JsonWriter json, string status, string? text)
    {
        json.WriteStartObject();
        json.WriteString("id", messageId);
        json.WriteString("type", "message");
        json.WriteString("status", status);
        json.WriteStartArray("content");
        if (text is not null)
        {
            WriteOutputText(json, text);
        }

        json.WriteEndArray();
        json.WriteString("role", "assistant");
        json.WriteEndObject();
    }

    private static void WriteOutputText(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "output_text");
        json.WriteStartArray("annotations");
        json.WriteEndArray();
        json.WriteStartArray("logprobs");
        json.WriteEndArray();
        json.WriteString("text", text);
        json.WriteEndObject();
    }
}
