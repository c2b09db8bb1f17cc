using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Sampling.Capture;

/// <summary>
/// Folds JSON objects into one response: chat completion chunks and bodies, legacy completions,
/// Responses API events and bodies, and error objects. Every object must already be known to be
/// well-formed JSON, so a bad event cannot leave half its effects behind.
/// </summary>
/// <remarks>
/// Utf8JsonReader reads forward only, but keys may come in any order (a chunk may put
/// <c>index</c> after <c>delta</c>, an event <c>type</c> after <c>delta</c>). The reader is a value,
/// so a copy left at a token is read later, once the deciding key is known, without allocating.
/// </remarks>
internal sealed class ResponseAccumulator
{
    // Strings up to this many escaped bytes are unescaped on the stack; longer ones into a pooled buffer.
    private const int StackCopyLimit = 512;

    private readonly StringBuilder _text = new();
    private readonly StringBuilder _refusal = new();

    // The Responses API repeats its whole output in the final object: kept apart from the deltas
    // so that neither is counted twice.
    private readonly StringBuilder _outputText = new();
    private readonly StringBuilder _outputRefusal = new();
    private readonly List<ToolCallAccumulator> _toolCalls = [];

    private bool _sawText;
    private bool _sawRefusal;
    private bool _sawOutputText;
    private bool _sawOutputRefusal;

    public string? Model { get; private set; }

    public string? FinishReason { get; private set; }

    public string? Error { get; set; }

    /// <summary>True once a stream said <c>[DONE]</c> or a Responses API stream said <c>response.completed</c>.</summary>
    public bool SawEnd { get; set; }

    /// <summary>Folds one JSON value in. Anything but an object is ignored.</summary>
    public void Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            ReadObject(ref reader, nested: false);
        }
    }

    public ReassembledResponse Build(bool streamed, bool complete, bool truncated)
    {
        // Deltas are what a streaming client saw; the final output object stands in when there were none.
        var text = _sawText ? _text.ToString() : _sawOutputText ? _outputText.ToString() : null;
        var refusal = _sawRefusal ? _refusal.ToString() : _sawOutputRefusal ? _outputRefusal.ToString() : null;
        var toolCalls = _toolCalls.Count == 0
            ? []
            : _toolCalls.OrderBy(static c => c.Index).Select(static c => c.ToToolCall()).ToArray();
        return new ReassembledResponse(text, toolCalls, FinishReason, Model, refusal, streamed, complete, truncated, Error);
    }

    /// <summary>
    /// Reads a top-level object (a chunk, an event, a body) or, when <paramref name="nested"/>, the
    /// <c>response</c> object inside a Responses API event. Their keys do not collide, so one reader serves.
    /// </summary>
    private void ReadObject(ref Utf8JsonReader reader, bool nested)
    {
        var type = default(Utf8JsonReader);
        var delta = default(Utf8JsonReader);
        var message = default(Utf8JsonReader);
        var item = default(Utf8JsonReader);
        var status = default(Utf8JsonReader);
        bool hasType = false, hasDelta = false, hasMessage = false, hasItem = false, hasStatus = false;
        int? outputIndex = null;
        string? incompleteReason = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                // Every chunk repeats the model: allocate its string once.
                if (reader.TokenType == JsonTokenType.String && (Model is null || !reader.ValueTextEquals(Model)))
                {
                    Model = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                ReadChoices(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                ReadError(ref reader);
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                reader.Read();
                ReadOutput(ref reader);
            }
            else if (reader.ValueTextEquals("response"u8) && !nested)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadObject(ref reader, nested: true);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                hasType = KeepString(ref reader, ref type);
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                hasDelta = KeepString(ref reader, ref delta);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                hasMessage = KeepString(ref reader, ref message);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                hasStatus = KeepString(ref reader, ref status);
            }
            else if (reader.ValueTextEquals("output_index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index))
                {
                    outputIndex = index;
                }
            }
            else if (reader.ValueTextEquals("item"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    item = reader;
                    hasItem = true;
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("incomplete_details"u8))
            {
                reader.Read();
                incompleteReason = ReadStringProperty(ref reader, "reason"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (hasStatus && IsTerminalStatus(ref status))
        {
            FinishReason = incompleteReason ?? status.GetString();
        }

        if (hasType)
        {
            ApplyEvent(ref type, ref delta, hasDelta, ref message, hasMessage, ref item, hasItem, outputIndex);
        }
    }

    /// <summary>Acts on a Responses API streaming event once its <c>type</c> is known.</summary>
    private void ApplyEvent(
        ref Utf8JsonReader type,
        ref Utf8JsonReader delta,
        bool hasDelta,
        ref Utf8JsonReader message,
        bool hasMessage,
        ref Utf8JsonReader item,
        bool hasItem,
        int? outputIndex)
    {
        if (type.ValueTextEquals("response.output_text.delta"u8))
        {
            if (hasDelta)
            {
                AppendString(ref delta, _text);
                _sawText = true;
            }
        }
        else if (type.ValueTextEquals("response.refusal.delta"u8))
        {
            if (hasDelta)
            {
                AppendString(ref delta, _refusal);
                _sawRefusal = true;
            }
        }
        else if (type.ValueTextEquals("response.function_call_arguments.delta"u8))
        {
            if (hasDelta && outputIndex is { } index)
            {
                AppendString(ref delta, ToolCall(index).Arguments);
            }
        }
        else if (type.ValueTextEquals("response.output_item.added"u8) || type.ValueTextEquals("response.output_item.done"u8))
        {
            // Message items are left to the deltas and the final object; only tool calls need these.
            if (hasItem && outputIndex is { } index)
            {
                ReadOutputItem(ref item, index, includeMessages: false);
            }
        }
        else if (type.ValueTextEquals("response.completed"u8))
        {
            SawEnd = true;
        }
        else if (type.ValueTextEquals("error"u8))
        {
            if (hasMessage)
            {
                Error ??= message.GetString();
            }
        }
    }

    private void ReadChoices(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                position++;
                continue;
            }

            // Only choice 0 is kept (n > 1 is rare), and "index" may follow "delta": look first, read after.
            var choice = reader;
            var index = position;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isIndex = reader.ValueTextEquals("index"u8);
                reader.Read();
                if (isIndex && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                {
                    index = value;
                }

                reader.Skip();
            }

            if (index == 0)
            {
                ReadChoice(ref choice);
            }

            position++;
        }
    }

    private void ReadChoice(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                ReadMessage(ref reader);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                // Legacy completions put their text here, streamed or not.
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    AppendString(ref reader, _text);
                    _sawText = true;
                }
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    FinishReason = reader.GetString();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadMessage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    AppendString(ref reader, _text);
                    _sawText = true;
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    ReadContentParts(ref reader, _text, ref _sawText, _refusal, ref _sawRefusal);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    AppendString(ref reader, _refusal);
                    _sawRefusal = true;
                }
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                ReadToolCalls(ref reader);
            }
            else if (reader.ValueTextEquals("function_call"u8))
            {
                // The legacy single function call: index 0 is the only one there can be.
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadToolCall(ref reader, 0, legacy: true);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadToolCalls(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        // Some providers leave out "index" on whole (non-streamed) calls: their position stands in.
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadToolCall(ref reader, position, legacy: false);
            }
            else
            {
                reader.Skip();
            }

            position++;
        }
    }

    /// <summary>
    /// Merges one fragment. Arguments are concatenated; id, type and name keep their first non-empty
    /// value, because some providers repeat them on every fragment.
    /// </summary>
    private void ReadToolCall(ref Utf8JsonReader reader, int fallbackIndex, bool legacy)
    {
        int? index = null;
        string? id = null, type = null, name = null;
        var arguments = default(Utf8JsonReader);
        var hasArguments = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!legacy && reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                {
                    index = value;
                }
            }
            else if (!legacy && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (!legacy && reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (!legacy && reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadFunction(ref reader, ref name, ref arguments, ref hasArguments);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (legacy && reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (legacy && reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                hasArguments = KeepString(ref reader, ref arguments);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var call = ToolCall(index ?? fallbackIndex);
        if (!string.IsNullOrEmpty(id))
        {
            call.Id ??= id;
        }

        if (!string.IsNullOrEmpty(type))
        {
            call.Type ??= type;
        }
        else if (legacy)
        {
            call.Type ??= "function";
        }

        if (!string.IsNullOrEmpty(name))
        {
            call.Name ??= name;
        }

        if (hasArguments)
        {
            AppendString(ref arguments, call.Arguments);
        }
    }

    private static void ReadFunction(ref Utf8JsonReader reader, ref string? name, ref Utf8JsonReader arguments, ref bool hasArguments)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                hasArguments = KeepString(ref reader, ref arguments);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Reads a Responses API <c>output</c> array: the whole answer, which replaces any earlier one.</summary>
    private void ReadOutput(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        _outputText.Clear();
        _outputRefusal.Clear();
        _sawOutputText = false;
        _sawOutputRefusal = false;
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadOutputItem(ref reader, position, includeMessages: true);
            }
            else
            {
                reader.Skip();
            }

            position++;
        }
    }

    /// <summary>Reads one Responses API output item: a <c>message</c> (text parts) or a <c>function_call</c>.</summary>
    private void ReadOutputItem(ref Utf8JsonReader reader, int outputIndex, bool includeMessages)
    {
        var type = default(Utf8JsonReader);
        var arguments = default(Utf8JsonReader);
        var content = default(Utf8JsonReader);
        bool hasType = false, hasArguments = false, hasContent = false;
        string? id = null, callId = null, name = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                hasType = KeepString(ref reader, ref type);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("call_id"u8))
            {
                reader.Read();
                callId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                hasArguments = KeepString(ref reader, ref arguments);
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    content = reader;
                    hasContent = true;
                }

                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!hasType)
        {
            return;
        }

        if (type.ValueTextEquals("function_call"u8))
        {
            var call = ToolCall(outputIndex);
            // call_id is what the client answers with; id is the item's own.
            call.Id = callId ?? id ?? call.Id;
            call.Type ??= "function";
            call.Name = name ?? call.Name;
            if (hasArguments)
            {
                // An item carries the arguments whole, so it replaces the deltas rather than adding to them.
                call.Arguments.Clear();
                AppendString(ref arguments, call.Arguments);
            }
        }
        else if (includeMessages && hasContent && type.ValueTextEquals("message"u8))
        {
            ReadContentParts(ref content, _outputText, ref _sawOutputText, _outputRefusal, ref _sawOutputRefusal);
        }
    }

    /// <summary>Reads an array of content parts: <c>text</c> (chat, <c>output_text</c>) and <c>refusal</c>.</summary>
    private static void ReadContentParts(
        ref Utf8JsonReader reader,
        StringBuilder text,
        ref bool sawText,
        StringBuilder refusal,
        ref bool sawRefusal)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        AppendString(ref reader, text);
                        sawText = true;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("refusal"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        AppendString(ref reader, refusal);
                        sawRefusal = true;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    /// <summary>Keeps the first error: later ones are usually consequences of it.</summary>
    private void ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            Error ??= reader.GetString();
        }
        else if (reader.TokenType == JsonTokenType.StartObject)
        {
            // An error without a message still is one; its type or code says something.
            var message = ReadStringProperty(ref reader, "message"u8);
            Error ??= message ?? "error";
        }
        else
        {
            reader.Skip();
        }
    }

    /// <summary>Reads one string property of an object (or skips a non-object), leaving the reader at its end.</summary>
    private static string? ReadStringProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(name);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    private static bool IsTerminalStatus(ref Utf8JsonReader status) =>
        status.ValueTextEquals("completed"u8)
        || status.ValueTextEquals("incomplete"u8)
        || status.ValueTextEquals("failed"u8)
        || status.ValueTextEquals("cancelled"u8);

    /// <summary>Leaves <paramref name="kept"/> at the current token when it is a string, to read once it is wanted.</summary>
    private static bool KeepString(ref Utf8JsonReader reader, ref Utf8JsonReader kept)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return false;
        }

        kept = reader;
        return true;
    }

    private ToolCallAccumulator ToolCall(int index)
    {
        foreach (var call in _toolCalls)
        {
            if (call.Index == index)
            {
                return call;
            }
        }

        var added = new ToolCallAccumulator(index);
        _toolCalls.Add(added);
        return added;
    }

    /// <summary>Appends a string token's unescaped text without allocating a string for it.</summary>
    private static void AppendString(ref Utf8JsonReader reader, StringBuilder builder)
    {
        // Unescaped text never has more chars than its escaped UTF-8 bytes.
        var escapedLength = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (escapedLength <= StackCopyLimit)
        {
            Span<char> chars = stackalloc char[StackCopyLimit];
            int written;
            try
            {
                written = reader.CopyString(chars);
            }
            catch (InvalidOperationException)
            {
                // Invalid UTF-8 or a lone surrogate escape (a model may split an emoji between tokens):
                // keep the rest of the text and mark the spot, as a decoder would.
                builder.Append('\uFFFD');
                return;
            }

            builder.Append(chars[..written]);
            return;
        }

        var rented = ArrayPool<char>.Shared.Rent(escapedLength);
        try
        {
            var written = reader.CopyString(rented);
            builder.Append(rented, 0, written);
        }
        catch (InvalidOperationException)
        {
            builder.Append('\uFFFD');
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
