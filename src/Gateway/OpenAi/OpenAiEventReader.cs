using System.Text.Json;

namespace LlmGateway.OpenAi;

/// <summary>
/// The one event visitor: reads one JSON payload (an SSE data event or a whole body) of chat
/// completions, legacy completions or the Responses API in a single <see cref="Utf8JsonReader"/>
/// pass. What it finds is held until the object has proved whole, then told to the observers, so a
/// malformed event has no effect but a flag. It never throws on provider bytes: strings are decoded
/// leniently (<see cref="JsonText"/>) and what the reader itself rejects becomes a malformed event.
/// </summary>
/// <remarks>
/// Keys may come in any order (a chunk may put <c>index</c> after <c>delta</c>, an event <c>type</c>
/// after <c>delta</c>). The reader is a value, so a copy left at a token is read once the deciding
/// key is known; in the order OpenAI writes them nothing is read twice.
/// </remarks>
internal sealed class OpenAiEventReader(IOpenAiObserver[] observers) : IDisposable
{
    /// <summary>
    /// How deep a response may nest. The Responses API echoes a request's <c>tools</c> and <c>text</c> format in its
    /// answer (a stream one level further in, under <c>response</c>), and the gateway admits requests
    /// <see cref="Proxy.RequestBodyScanner.MaxDepth"/> deep: a reader stopping at the default 64 lost such an answer whole,
    /// usage and all. Twice the request's limit leaves room for any echo; the reader's stack past 64 costs only the events
    /// that nest that deep.
    /// </summary>
    public const int MaxDepth = 2 * Proxy.RequestBodyScanner.MaxDepth;

    /// <summary>What every reader of a provider's JSON reads with (<see cref="MaxDepth"/>).</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    private readonly PooledArray<char> _chars = new();
    private readonly PooledArray<OpenAiEffect> _effects = new();

    // The event being read; text is in _chars as (start, length), -1 when absent.
    private int _modelStart;
    private int _modelLength;
    private int _finishStart;
    private int _finishLength;
    private int _errorStart;
    private int _errorLength;
    private OpenAiUsage? _usage;
    private bool _sawError;

    // Reading a choice other than 0: only its text counts (for estimates), not its finish reason or tool calls.
    private bool _otherChoice;
    private bool _end;
    private bool _invalid;
    private bool _emptyChoices;

    // The tier the event says served the response (service_tier): null when it says none.
    private bool? _servedPriority;

    private string? _model;

    /// <summary>JSON payloads parsed so far (each data event once, each body once).</summary>
    public int Parses { get; private set; }

    /// <summary>Why the last malformed payload could not be read.</summary>
    public string? LastProblem { get; private set; }

    /// <summary>
    /// The stream said it is over: <c>[DONE]</c>, <c>response.completed</c>, <c>response.incomplete</c>, or chat's
    /// <c>include_usage</c> chunk (<see cref="OpenAiEventFlags.UsageOnly"/>), the last before <c>[DONE]</c>. The one
    /// definition every reader of a stream's end uses.
    /// </summary>
    public bool Ended { get; private set; }

    /// <summary>Reads one JSON object and tells the observers what it said (nothing, if it is not whole).</summary>
    /// <param name="start">Where the payload's event starts in the stream (for <see cref="OpenAiEventInfo"/>).</param>
    /// <param name="end">Where it ends.</param>
    public OpenAiEventFlags Read(ReadOnlySpan<byte> json, long start, long end)
    {
        Reset();
        Parses++;
        var flags = OpenAiEventFlags.None;
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadObject(ref reader, nested: false);

                // Anything after the object (another value) makes the reader throw; whitespace is fine.
                reader.Read();
            }
            else
            {
                flags = OpenAiEventFlags.Malformed;
                LastProblem = "not a JSON object";
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a property name with a lone surrogate escape, compared by the reader.
            flags = OpenAiEventFlags.Malformed;
            LastProblem = e.Message;
        }

        if (flags == OpenAiEventFlags.None)
        {
            flags = Commit();
        }

        Notify(new OpenAiEventInfo(flags, start, end));
        return flags;
    }

    /// <summary>
    /// Whether <paramref name="json"/> is one whole object that ends a stream, without telling anyone: a look at an event
    /// not yet ended. It ends one when its top-level <c>type</c> is <c>response.completed</c> or <c>response.incomplete</c>,
    /// or when it is the <c>include_usage</c> chunk (an empty <c>choices</c> with a <c>usage</c> object and no error), as
    /// <see cref="Read"/> would flag it. One pass over the top-level keys, their values skipped.
    /// </summary>
    public static bool EndsStream(ReadOnlySpan<byte> json)
    {
        bool terminal = false, emptyChoices = false, usage = false, error = false;
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = Key(ref reader);
                reader.Read();
                switch (key)
                {
                    case EventKey.Type when reader.TokenType == JsonTokenType.String:
                        terminal = reader.ValueTextEquals("response.completed"u8) || reader.ValueTextEquals("response.incomplete"u8);
                        error |= reader.ValueTextEquals("error"u8);
                        break;
                    case EventKey.Choices when reader.TokenType == JsonTokenType.StartArray:
                        // The last "choices" decides, as it does for Read; a copy looks at its first token.
                        var look = reader;
                        emptyChoices = look.Read() && look.TokenType == JsonTokenType.EndArray;
                        break;
                    case EventKey.Usage:
                        usage |= reader.TokenType == JsonTokenType.StartObject;
                        break;
                    case EventKey.Error:
                        error |= reader.TokenType is JsonTokenType.String or JsonTokenType.StartObject;
                        break;
                }

                reader.Skip();
            }

            // Whole: the object closed, and nothing but whitespace after it.
            return (terminal || (emptyChoices && usage && !error)) && reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>An event that is not JSON at all: the <c>[DONE]</c> sentinel, or one too large to read.</summary>
    public void ReadSentinel(OpenAiEventFlags flags, long start, long end)
    {
        if ((flags & OpenAiEventFlags.Done) != 0)
        {
            End();
        }

        Notify(new OpenAiEventInfo(flags, start, end));
    }

    public void Dispose()
    {
        _chars.Dispose();
        _effects.Dispose();
    }

    /// <summary>The stream is over: told once, by whichever of its ends comes first (the usage chunk, then <c>[DONE]</c>).</summary>
    private void End()
    {
        if (Ended)
        {
            return;
        }

        Ended = true;
        foreach (var observer in observers)
        {
            observer.OnEnd();
        }
    }

    private void Notify(in OpenAiEventInfo info)
    {
        foreach (var observer in observers)
        {
            observer.OnEvent(info);
        }
    }

    /// <summary>Forgets the response it read (counts, the model seen, the last problem), for the next one.</summary>
    public void Restart()
    {
        Ended = false;
        Reset();
        _model = null;
        Parses = 0;
        LastProblem = null;
    }

    private void Reset()
    {
        _chars.Clear();
        _effects.Clear();
        _modelStart = _finishStart = _errorStart = -1;
        _modelLength = _finishLength = _errorLength = 0;
        _usage = null;
        _sawError = _end = _invalid = _emptyChoices = _otherChoice = false;
        _servedPriority = null;
    }

    private OpenAiEventFlags Commit()
    {
        var chars = _chars.WrittenSpan;
        if (_modelStart >= 0)
        {
            // Every chunk repeats the model: look its string up only when it changes.
            var model = chars.Slice(_modelStart, _modelLength);
            if (_model is null || !model.SequenceEqual(_model))
            {
                _model = ReportedModelNames.Shared.Get(model);
                foreach (var observer in observers)
                {
                    observer.OnModel(_model);
                }
            }
        }

        foreach (var effect in _effects.WrittenSpan)
        {
            foreach (var observer in observers)
            {
                Apply(observer, effect, chars);
            }
        }

        if (_finishStart >= 0)
        {
            var reason = FinishReasons.Get(chars.Slice(_finishStart, _finishLength));
            foreach (var observer in observers)
            {
                observer.OnFinishReason(reason);
            }
        }

        if (_servedPriority is { } priority)
        {
            foreach (var observer in observers)
            {
                observer.OnServiceTier(priority);
            }
        }

        if (_usage is { } usage)
        {
            foreach (var observer in observers)
            {
                observer.OnUsage(usage);
            }
        }

        if (_sawError)
        {
            var message = _errorStart >= 0 ? new string(chars.Slice(_errorStart, _errorLength)) : "error";
            foreach (var observer in observers)
            {
                observer.OnError(message);
            }
        }

        // Never an event that also carries an error: dropping it would hide the error from the client.
        var usageOnly = _emptyChoices && _usage is not null && !_sawError;

        // The usage-only chunk ends a chat stream as [DONE] does: it comes after every choice's finish, and only [DONE]
        // follows it, so a stream that loses just its [DONE] is whole (for the bill, the client and the sample alike).
        if (_end || usageOnly)
        {
            End();
        }

        var flags = OpenAiEventFlags.None;
        if (_invalid)
        {
            flags |= OpenAiEventFlags.InvalidText;
        }

        if (usageOnly)
        {
            flags |= OpenAiEventFlags.UsageOnly;
        }

        if (_sawError)
        {
            flags |= OpenAiEventFlags.Error;
        }

        return flags;
    }

    private static void Apply(IOpenAiObserver observer, in OpenAiEffect effect, ReadOnlySpan<char> chars)
    {
        var text = effect.Length >= 0 ? chars.Slice(effect.Start, effect.Length) : default;
        switch (effect.Kind)
        {
            case OpenAiEffectKind.Text:
                observer.OnText(text);
                break;
            case OpenAiEffectKind.Refusal:
                observer.OnRefusal(text);
                break;
            case OpenAiEffectKind.OtherChoiceText:
                observer.OnOtherChoiceText(text);
                break;
            case OpenAiEffectKind.OtherOutput:
                observer.OnOtherOutput(text);
                break;
            case OpenAiEffectKind.OutputOther:
                observer.OnOutputOther(text);
                break;
            case OpenAiEffectKind.ProviderToolCall:
                observer.OnProviderToolCall(effect.Index, text);
                break;
            case OpenAiEffectKind.OutputStart:
                observer.OnOutputStart();
                break;
            case OpenAiEffectKind.OutputText:
                observer.OnOutputText(text);
                break;
            case OpenAiEffectKind.OutputRefusal:
                observer.OnOutputRefusal(text);
                break;
            case OpenAiEffectKind.ToolCall:
                observer.OnToolCall(new ToolCallFragment(
                    effect.Index,
                    Slice(chars, effect.IdStart, effect.IdLength),
                    Slice(chars, effect.TypeStart, effect.TypeLength),
                    Slice(chars, effect.NameStart, effect.NameLength),
                    text,
                    effect.Length >= 0,
                    effect.IsItem,
                    effect.IsLegacy));
                break;
        }
    }

    private static ReadOnlySpan<char> Slice(ReadOnlySpan<char> chars, int start, int length) =>
        length > 0 ? chars.Slice(start, length) : default;

    /// <summary>
    /// Reads a top-level object (a chunk, an event, a body) or, when <paramref name="nested"/>, the
    /// <c>response</c> object of a Responses API event. Their keys do not collide, so one reader serves.
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
        int incompleteStart = -1, incompleteLength = 0;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Key(ref reader);
            reader.Read();
            switch (key)
            {
                case EventKey.Model when reader.TokenType == JsonTokenType.String:
                    (_modelStart, _modelLength) = Decode(ref reader);
                    break;
                case EventKey.Choices:
                    ReadChoices(ref reader, topLevel: !nested);
                    break;
                case EventKey.Usage when reader.TokenType == JsonTokenType.StartObject:
                    _usage = UsageReader.Read(ref reader);
                    break;
                case EventKey.ServiceTier when reader.TokenType == JsonTokenType.String:
                    // Only a tier that serves decides ("auto" is what a request asks, not what serves it).
                    _servedPriority = reader.ValueTextEquals("priority"u8) ? true
                        : reader.ValueTextEquals("default"u8) || reader.ValueTextEquals("flex"u8) || reader.ValueTextEquals("scale"u8) ? false
                        : null;
                    break;
                case EventKey.Error:
                    ReadError(ref reader);
                    break;
                case EventKey.Output:
                    ReadOutput(ref reader);
                    break;
                case EventKey.Response when !nested && reader.TokenType == JsonTokenType.StartObject:
                    ReadObject(ref reader, nested: true);
                    break;
                case EventKey.Type:
                    hasType = Keep(ref reader, ref type);
                    break;
                case EventKey.Delta:
                    hasDelta = Keep(ref reader, ref delta);
                    break;
                case EventKey.Message:
                    hasMessage = Keep(ref reader, ref message);
                    break;
                case EventKey.Status:
                    hasStatus = Keep(ref reader, ref status);
                    break;
                case EventKey.OutputIndex when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index):
                    outputIndex = index;
                    break;
                case EventKey.Item when reader.TokenType == JsonTokenType.StartObject:
                    if (hasType && outputIndex is { } itemIndex && IsOutputItemEvent(ref type))
                    {
                        // The usual order (type, output_index, item): read it in place.
                        ReadOutputItem(ref reader, itemIndex, includeMessages: false);
                    }
                    else
                    {
                        item = reader;
                        hasItem = true;
                        reader.Skip();
                    }

                    break;
                case EventKey.IncompleteDetails:
                    (incompleteStart, incompleteLength) = ReadStringProperty(ref reader, "reason"u8);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (hasStatus && IsTerminalStatus(ref status))
        {
            (_finishStart, _finishLength) = incompleteStart >= 0 ? (incompleteStart, incompleteLength) : Decode(ref status);
        }

        if (hasType)
        {
            ApplyEvent(ref type, ref delta, hasDelta, ref message, hasMessage, ref item, hasItem, outputIndex);
        }
    }

    /// <summary>
    /// Which key the reader is at. Chunks carry several keys no one reads (<c>id</c>, <c>object</c>,
    /// <c>created</c>, <c>system_fingerprint</c>…): their length alone rejects most of them.
    /// </summary>
    private static EventKey Key(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return SlowKey(ref reader);
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            4 => name.SequenceEqual("type"u8) ? EventKey.Type : name.SequenceEqual("item"u8) ? EventKey.Item : EventKey.Other,
            5 => name.SequenceEqual("model"u8) ? EventKey.Model
                : name.SequenceEqual("usage"u8) ? EventKey.Usage
                : name.SequenceEqual("error"u8) ? EventKey.Error
                : name.SequenceEqual("delta"u8) ? EventKey.Delta
                : EventKey.Other,
            6 => name.SequenceEqual("output"u8) ? EventKey.Output : name.SequenceEqual("status"u8) ? EventKey.Status : EventKey.Other,
            7 => name.SequenceEqual("choices"u8) ? EventKey.Choices : name.SequenceEqual("message"u8) ? EventKey.Message : EventKey.Other,
            8 => name.SequenceEqual("response"u8) ? EventKey.Response : EventKey.Other,
            12 => name.SequenceEqual("output_index"u8) ? EventKey.OutputIndex : name.SequenceEqual("service_tier"u8) ? EventKey.ServiceTier : EventKey.Other,
            18 => name.SequenceEqual("incomplete_details"u8) ? EventKey.IncompleteDetails : EventKey.Other,
            _ => EventKey.Other,
        };
    }

    // An escaped key ("\u006dodel") is legal JSON; it is compared unescaped (a lone surrogate in it throws: malformed).
    private static EventKey SlowKey(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("model"u8) ? EventKey.Model
        : reader.ValueTextEquals("choices"u8) ? EventKey.Choices
        : reader.ValueTextEquals("usage"u8) ? EventKey.Usage
        : reader.ValueTextEquals("error"u8) ? EventKey.Error
        : reader.ValueTextEquals("output"u8) ? EventKey.Output
        : reader.ValueTextEquals("response"u8) ? EventKey.Response
        : reader.ValueTextEquals("type"u8) ? EventKey.Type
        : reader.ValueTextEquals("delta"u8) ? EventKey.Delta
        : reader.ValueTextEquals("message"u8) ? EventKey.Message
        : reader.ValueTextEquals("status"u8) ? EventKey.Status
        : reader.ValueTextEquals("output_index"u8) ? EventKey.OutputIndex
        : reader.ValueTextEquals("service_tier"u8) ? EventKey.ServiceTier
        : reader.ValueTextEquals("item"u8) ? EventKey.Item
        : reader.ValueTextEquals("incomplete_details"u8) ? EventKey.IncompleteDetails
        : EventKey.Other;

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
                AddText(OpenAiEffectKind.Text, ref delta);
            }
        }
        else if (type.ValueTextEquals("response.refusal.delta"u8))
        {
            if (hasDelta)
            {
                AddText(OpenAiEffectKind.Refusal, ref delta);
            }
        }
        else if (type.ValueTextEquals("response.mcp_call_arguments.delta"u8) || type.ValueTextEquals("response.code_interpreter_call_code.delta"u8)
            // Reasoning a provider shows is generated output too: the client received it.
            || type.ValueTextEquals("response.reasoning_summary_text.delta"u8) || type.ValueTextEquals("response.reasoning_text.delta"u8))
        {
            if (hasDelta)
            {
                AddText(OpenAiEffectKind.OtherOutput, ref delta);
            }
        }
        else if (type.ValueTextEquals("response.function_call_arguments.delta"u8) || type.ValueTextEquals("response.custom_tool_call_input.delta"u8))
        {
            // A function's arguments or a custom tool's input: both calls the client runs.
            if (hasDelta && outputIndex is { } index)
            {
                var (start, length) = Decode(ref delta);
                AddToolCall(index, (-1, 0), (-1, 0), (-1, 0), (start, length), isItem: false, isLegacy: false);
            }
        }
        else if (hasItem && outputIndex is { } itemIndex && IsOutputItemEvent(ref type))
        {
            // Message items are left to the deltas and the final output; only tool calls need these.
            ReadOutputItem(ref item, itemIndex, includeMessages: false);
        }
        else if (type.ValueTextEquals("response.completed"u8) || type.ValueTextEquals("response.incomplete"u8))
        {
            _end = true;
        }
        else if (type.ValueTextEquals("error"u8))
        {
            _sawError = true;
            if (hasMessage && _errorStart < 0)
            {
                (_errorStart, _errorLength) = Decode(ref message);
            }
        }
    }

    /// <summary>
    /// An output item that may call a tool the provider runs (<c>web_search_call</c>, …): any <c>*_call</c> but a function
    /// call. Which tools cost a fee is <see cref="Accounting.ProviderToolNames.OfCallItem"/>'s to say, in the observer.
    /// </summary>
    private static bool IsProviderToolCall(ref Utf8JsonReader type) =>
        !type.HasValueSequence && type.ValueSpan.EndsWith("_call"u8) && !type.ValueTextEquals("function_call"u8);

    private static bool IsOutputItemEvent(ref Utf8JsonReader type) =>
        type.ValueTextEquals("response.output_item.added"u8) || type.ValueTextEquals("response.output_item.done"u8);

    private void ReadChoices(ref Utf8JsonReader reader, bool topLevel)
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

            // Choice 0 is read whole; the others (n > 1) only for their text, which an output estimate must count.
            // The index is usually a choice's first key.
            _otherChoice = ChoiceIndex(reader, position) != 0;
            ReadChoice(ref reader);
            _otherChoice = false;

            position++;
        }

        // The last "choices" decides (a repeated key is read as the last one by most parsers): an empty array after a
        // full one must not make the event look usage-only, nor a full one after an empty one.
        if (topLevel)
        {
            _emptyChoices = position == 0;
        }
    }

    /// <summary>Looks ahead (on a copy) for a choice's <c>index</c>; its position stands in when there is none.</summary>
    private static int ChoiceIndex(Utf8JsonReader reader, int position)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIndex = reader.ValueTextEquals("index"u8);
            reader.Read();
            if (isIndex)
            {
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index) ? index : position;
            }

            reader.Skip();
        }

        return position;
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
                AddTextIfString(OpenAiEffectKind.Text, ref reader);
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !_otherChoice)
                {
                    (_finishStart, _finishLength) = Decode(ref reader);
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

    private void ReadMessage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        var reasoningRead = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    ReadContentParts(ref reader, OpenAiEffectKind.Text, OpenAiEffectKind.Refusal);
                }
                else
                {
                    AddTextIfString(OpenAiEffectKind.Text, ref reader);
                }
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                AddTextIfString(OpenAiEffectKind.Refusal, ref reader);
            }
            else if (!reasoningRead && (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8)))
            {
                // Reasoning that OpenAI-compatible providers (DeepSeek, vLLM, OpenRouter) stream beside the content: the
                // client received it and it is billed as output, so an estimate counts it. Once per message: vLLM sends
                // the same text under both names.
                reader.Read();
                reasoningRead = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
                AddTextIfString(OpenAiEffectKind.OtherOutput, ref reader);
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

    private void ReadToolCall(ref Utf8JsonReader reader, int fallbackIndex, bool legacy)
    {
        int? index = null;
        (int, int) id = (-1, 0), type = (-1, 0), name = (-1, 0), arguments = (-1, 0);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!legacy && reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                {
                    index = value;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (!legacy && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = DecodeIfString(ref reader);
            }
            else if (!legacy && reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = DecodeIfString(ref reader);
            }
            else if (!legacy && (reader.ValueTextEquals("function"u8) || reader.ValueTextEquals("custom"u8)))
            {
                // A function's name and arguments, or a custom tool's name and free-form input.
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadFunction(ref reader, ref name, ref arguments);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (legacy && reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = DecodeIfString(ref reader);
            }
            else if (legacy && reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                arguments = DecodeIfString(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (_otherChoice)
        {
            // A choice other than 0: its calls are not reassembled, but they were generated and an estimate counts them.
            AddOtherChoiceText(name);
            AddOtherChoiceText(arguments);
            return;
        }

        AddToolCall(index ?? fallbackIndex, id, type, name, arguments, isItem: false, isLegacy: legacy);
    }

    private void AddOtherChoiceText((int Start, int Length) text) => AddSpan(OpenAiEffectKind.OtherChoiceText, text);

    private void AddSpan(OpenAiEffectKind kind, (int Start, int Length) text)
    {
        if (text.Start >= 0)
        {
            AddEffect(new OpenAiEffect { Kind = kind, Start = text.Start, Length = text.Length });
        }
    }

    private void ReadFunction(ref Utf8JsonReader reader, ref (int, int) name, ref (int, int) arguments)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = DecodeIfString(ref reader);
            }
            else if (reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                arguments = DecodeIfString(ref reader);
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

        AddEffect(new OpenAiEffect { Kind = OpenAiEffectKind.OutputStart, Length = -1 });
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

    /// <summary>
    /// Reads one Responses API output item: a <c>message</c> (text parts), a call the client runs (<c>function_call</c>,
    /// <c>custom_tool_call</c>), or other output (an MCP call, the code interpreter's code).
    /// </summary>
    private void ReadOutputItem(ref Utf8JsonReader reader, int outputIndex, bool includeMessages)
    {
        var type = default(Utf8JsonReader);
        var content = default(Utf8JsonReader);
        bool hasType = false, hasContent = false, readContent = false;
        (int, int) id = (-1, 0), callId = (-1, 0), name = (-1, 0), arguments = (-1, 0);

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                hasType = Keep(ref reader, ref type);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = DecodeIfString(ref reader);
            }
            else if (reader.ValueTextEquals("call_id"u8))
            {
                reader.Read();
                callId = DecodeIfString(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = DecodeIfString(ref reader);
            }
            else if (reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("input"u8) || reader.ValueTextEquals("code"u8))
            {
                // A function's or an MCP call's arguments, a custom tool's input, the code interpreter's code.
                reader.Read();
                arguments = DecodeIfString(ref reader);
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray || !includeMessages)
                {
                    reader.Skip();
                }
                else if (hasType && type.ValueTextEquals("message"u8))
                {
                    ReadContentParts(ref reader, OpenAiEffectKind.OutputText, OpenAiEffectKind.OutputRefusal);
                    readContent = true;
                }
                else
                {
                    content = reader;
                    hasContent = true;
                    reader.Skip();
                }
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

        if (IsProviderToolCall(ref type))
        {
            // A call the provider runs and charges for: counted once per output index (item events and final output alike).
            var (start, length) = Decode(ref type);
            AddEffect(new OpenAiEffect { Kind = OpenAiEffectKind.ProviderToolCall, Start = start, Length = length, Index = outputIndex });
        }

        if (includeMessages && (type.ValueTextEquals("mcp_call"u8) || type.ValueTextEquals("code_interpreter_call"u8)))
        {
            // Generated output, but no call the client runs: counted for an estimate, never reassembled as one. From the
            // whole answer only (a stream counts these calls' deltas, not also their items).
            AddSpan(OpenAiEffectKind.OutputOther, name);
            AddSpan(OpenAiEffectKind.OutputOther, arguments);
        }
        else if (type.ValueTextEquals("function_call"u8))
        {
            // call_id is what the client answers with; id is the item's own.
            AddToolCall(outputIndex, callId.Item1 >= 0 ? callId : id, (-1, 0), name, arguments, isItem: true, isLegacy: false);
        }
        else if (type.ValueTextEquals("custom_tool_call"u8))
        {
            // A custom tool is run by the client, as a function is: its call (input for arguments) is the answer, typed as
            // chat types its custom tool calls.
            AddToolCall(outputIndex, callId.Item1 >= 0 ? callId : id, AddLiteral("custom"), name, arguments, isItem: true, isLegacy: false);
        }
        else if (hasContent && !readContent && type.ValueTextEquals("message"u8))
        {
            ReadContentParts(ref content, OpenAiEffectKind.OutputText, OpenAiEffectKind.OutputRefusal);
        }
    }

    /// <summary>Reads an array of content parts: <c>text</c> (chat, <c>output_text</c>) and <c>refusal</c>.</summary>
    private void ReadContentParts(ref Utf8JsonReader reader, OpenAiEffectKind text, OpenAiEffectKind refusal)
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
                    AddTextIfString(text, ref reader);
                }
                else if (reader.ValueTextEquals("refusal"u8))
                {
                    reader.Read();
                    AddTextIfString(refusal, ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    /// <summary>An <c>error</c> string or object; an error without a message still is one.</summary>
    private void ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            _sawError = true;
            if (_errorStart < 0)
            {
                (_errorStart, _errorLength) = Decode(ref reader);
            }
        }
        else if (reader.TokenType == JsonTokenType.StartObject)
        {
            _sawError = true;
            var message = ReadStringProperty(ref reader, "message"u8);
            if (_errorStart < 0 && message.Item1 >= 0)
            {
                (_errorStart, _errorLength) = message;
            }
        }
        else
        {
            // null: no error.
            reader.Skip();
        }
    }

    /// <summary>Reads one string property of an object (or skips a non-object), leaving the reader at its end.</summary>
    private (int Start, int Length) ReadStringProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (-1, 0);
        }

        (int, int) value = (-1, 0);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(name);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String)
            {
                value = Decode(ref reader);
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
    private static bool Keep(ref Utf8JsonReader reader, ref Utf8JsonReader kept)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return false;
        }

        kept = reader;
        return true;
    }

    private void AddTextIfString(OpenAiEffectKind kind, ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            AddText(kind, ref reader);
        }
        else
        {
            reader.Skip();
        }
    }

    private void AddText(OpenAiEffectKind kind, ref Utf8JsonReader reader)
    {
        var (start, length) = Decode(ref reader);
        AddEffect(new OpenAiEffect { Kind = _otherChoice ? OpenAiEffectKind.OtherChoiceText : kind, Start = start, Length = length });
    }

    private void AddToolCall(int index, (int Start, int Length) id, (int Start, int Length) type, (int Start, int Length) name, (int Start, int Length) arguments, bool isItem, bool isLegacy) =>
        AddEffect(new OpenAiEffect
        {
            Kind = OpenAiEffectKind.ToolCall,
            Index = index,
            Start = arguments.Start,
            Length = arguments.Start >= 0 ? arguments.Length : -1,
            IdStart = id.Start,
            IdLength = id.Length,
            TypeStart = type.Start,
            TypeLength = type.Length,
            NameStart = name.Start,
            NameLength = name.Length,
            IsItem = isItem,
            IsLegacy = isLegacy,
        });

    private void AddEffect(in OpenAiEffect effect) => _effects.Append(effect);

    private (int Start, int Length) DecodeIfString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return Decode(ref reader);
        }

        reader.Skip();
        return (-1, 0);
    }

    /// <summary>Writes text of the gateway's own into the event's char buffer, as <see cref="Decode"/> writes a token's.</summary>
    private (int Start, int Length) AddLiteral(ReadOnlySpan<char> text)
    {
        var start = _chars.Length;
        text.CopyTo(_chars.GetSpan(text.Length));
        _chars.Advance(text.Length);
        return (start, text.Length);
    }

    /// <summary>Unescapes a string token into the event's char buffer.</summary>
    private (int Start, int Length) Decode(ref Utf8JsonReader reader)
    {
        var start = _chars.Length;
        var written = JsonText.Decode(ref reader, _chars.GetSpan(reader.ValueSpan.Length), ref _invalid);
        _chars.Advance(written);
        return (start, written);
    }
}
