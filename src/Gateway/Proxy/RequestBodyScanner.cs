using System.Text.Json;

namespace LlmGateway.Proxy;

/// <summary>
/// One forward-only pass over the request body with <see cref="Utf8JsonReader"/>: it validates
/// the whole document and records where every top-level field, every message and every prompt
/// variable is, so the body is never parsed a second time.
/// </summary>
internal static class RequestBodyScanner
{
    // Collected here, then copied to arrays of exactly their size: the scan runs on one thread, start to end. Emptied
    // after every scan (nothing of a client's body stays reachable), and dropped when a hostile body grew one past this.
    private const int MaxKeptCapacity = 1024;

    [ThreadStatic]
    private static List<ScannedProperty>? t_properties;
    [ThreadStatic]
    private static List<ScannedMessage>? t_messages;
    [ThreadStatic]
    private static List<ScannedVariable>? t_variables;

    public static RequestScan Scan(ReadOnlySpan<byte> json)
    {
        try
        {
            return ScanCore(json);
        }
        finally
        {
            Release(ref t_properties);
            Release(ref t_messages);
            Release(ref t_variables);
        }
    }

    private static void Release<T>(ref List<T>? scratch)
    {
        if (scratch is null)
        {
            return;
        }

        if (scratch.Capacity > MaxKeptCapacity)
        {
            scratch = null;
            return;
        }

        scratch.Clear();
    }

    /// <summary>
    /// The most messages, prompt variables and top-level fields one body may hold. Each is recorded as the scan meets
    /// it, so without a bound an 8 MB body of <c>[0,0,…]</c> made four million entries (~190 MB allocated) before the
    /// model was even looked up. Far above what any provider takes.
    /// </summary>
    public const int MaxMessages = 100_000;

    /// <inheritdoc cref="MaxMessages"/>
    public const int MaxVariables = 1_000;

    /// <inheritdoc cref="MaxMessages"/>
    public const int MaxTopLevelFields = 1_000;

    /// <summary>
    /// The longest <c>model</c> (with a <c>prompt:</c> prefix) read. Real ids are far shorter: a Hugging Face
    /// <c>org/name</c> is under 140 characters (96 for the name), an Azure deployment 64, a Bedrock ARN or a fine-tuned
    /// OpenAI id about 100. A longer one would be copied into the lookup, the error and a pin's store key.
    /// </summary>
    public const int MaxModelLength = 256;

    /// <summary>How deep a request body may nest: every later reader of the same body reads with it (a default reader stops at 64).</summary>
    public const int MaxDepth = 128;

    /// <inheritdoc cref="MaxDepth"/>
    public static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = MaxDepth };

    private static RequestScan ScanCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                return RequestScan.Invalid("the body is empty.");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return RequestScan.Invalid("the body must be a JSON object.");
            }

            var scan = new RequestScan();
            var names = new TopLevelNames();
            // Empty: every scan's lists are emptied when it ends (Release).
            var properties = t_properties ??= new List<ScannedProperty>(16);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (properties.Count == MaxTopLevelFields)
                {
                    return RequestScan.TooMany(null, MaxTopLevelFields);
                }

                var start = (int)reader.TokenStartIndex;
                var field = Identify(ref reader);
                if (!names.Add(field, ref reader, json))
                {
                    // Which of two values counts differs between JSON readers (ours, the provider's, a
                    // policy's): a body that says two things is refused rather than read one way here and
                    // another way upstream.
                    return RequestScan.Duplicate(reader.GetString()!);
                }

                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                switch (field)
                {
                    case TopLevelField.Model when reader.TokenType == JsonTokenType.String:
                        // No character takes more than six bytes (\uXXXX): a longer token is refused before it is a string.
                        if (reader.ValueSpan.Length > MaxModelLength * 6 || reader.GetString() is not { Length: <= MaxModelLength } model)
                        {
                            return RequestScan.ModelTooLong();
                        }

                        scan.Model = model;
                        break;
                    case TopLevelField.Model:
                        scan.Model = null;
                        break;
                    case TopLevelField.Stream or TopLevelField.Background when reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null):
                        return RequestScan.NotABoolean(field == TopLevelField.Stream ? "stream" : "background");
                    case TopLevelField.Stream:
                        scan.Stream = reader.TokenType == JsonTokenType.True;
                        break;
                    case TopLevelField.MaxTokens or TopLevelField.MaxCompletionTokens when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var maxOutput):
                        scan.MaxOutputTokens = maxOutput;
                        break;
                    case TopLevelField.StreamOptions when reader.TokenType == JsonTokenType.StartObject:
                        scan.ClientIncludesUsage = ReadIncludeUsage(ref reader);
                        break;
                    case TopLevelField.User when reader.TokenType == JsonTokenType.String:
                        scan.User = reader.GetString();
                        break;
                    case TopLevelField.Messages when reader.TokenType == JsonTokenType.StartArray:
                        if (ReadMessages(ref reader) is not { } messages)
                        {
                            return RequestScan.TooMany("messages", MaxMessages);
                        }

                        scan.Messages = messages;
                        break;
                    case TopLevelField.Messages:
                        scan.MessagesNotArray = true;
                        break;
                    case TopLevelField.PromptVariables when reader.TokenType == JsonTokenType.StartObject:
                        if (ReadVariables(ref reader) is not { } variables)
                        {
                            return RequestScan.TooMany("prompt_variables", MaxVariables);
                        }

                        if (DuplicateName(variables) is { } twice)
                        {
                            // As for top-level keys: which of two values a reader takes differs; the body says two things.
                            return RequestScan.Duplicate("prompt_variables." + twice);
                        }

                        scan.Variables = variables;
                        break;
                    case TopLevelField.PromptVariables when reader.TokenType != JsonTokenType.Null:
                        scan.PromptVariablesNotObject = true;
                        break;
                    case TopLevelField.Background:
                        scan.Background = reader.TokenType == JsonTokenType.True;
                        break;
                    case TopLevelField.ServiceTier when reader.TokenType == JsonTokenType.String:
                        scan.PriorityTier = reader.ValueTextEquals("priority"u8);
                        break;
                }

                // Whatever the branch consumed, finish the value (a no-op for scalars and for
                // containers already read to their end).
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }

                var end = (int)reader.BytesConsumed;
                if (field == TopLevelField.Model)
                {
                    scan.ModelTokenStart = valueStart;
                    scan.ModelTokenLength = end - valueStart;
                }

                properties.Add(new ScannedProperty(field, start, valueStart, end));
            }

            scan.Properties = properties.ToArray();

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return RequestScan.Invalid("unexpected content after the JSON object.");
            }

            return scan;
        }
        catch (JsonException ex)
        {
            return RequestScan.Invalid(Describe(ex));
        }
        catch (InvalidOperationException)
        {
            // GetString refuses a lone UTF-16 surrogate such as "\ud800": not text, so not valid here.
            return RequestScan.Invalid("a string holds an invalid escape (a lone UTF-16 surrogate).");
        }
    }

    /// <returns>The messages; null past <see cref="MaxMessages"/>.</returns>
    private static ScannedMessage[]? ReadMessages(ref Utf8JsonReader reader)
    {
        var messages = t_messages ??= [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (messages.Count == MaxMessages)
            {
                return null;
            }

            var start = (int)reader.TokenStartIndex;
            string? role = null;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                var depth = reader.CurrentDepth;
                while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("role"u8))
                    {
                        reader.Read();
                        var value = reader.TokenType == JsonTokenType.String ? Role(ref reader) : null;

                        // Two roles in one message: providers differ on which wins, so a policy on
                        // system messages must assume the worst.
                        role = role is null || role == value ? value : ScannedMessage.AmbiguousRole;
                    }

                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }
                }
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            messages.Add(new ScannedMessage(start, (int)reader.BytesConsumed, role));
        }

        return messages.ToArray();
    }

    /// <summary>Reads a <c>stream_options</c> object to its end; true when it asks for usage.</summary>
    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        var includes = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                includes = reader.TokenType == JsonTokenType.True;
            }

            reader.Skip();
        }

        return includes;
    }

    /// <summary>The common roles as literals: no string allocated per message.</summary>
    private static string? Role(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("user"u8) ? "user"
        : reader.ValueTextEquals("assistant"u8) ? "assistant"
        : reader.ValueTextEquals("system"u8) ? "system"
        : reader.ValueTextEquals("tool"u8) ? "tool"
        : reader.ValueTextEquals("developer"u8) ? "developer"
        : reader.GetString();

    /// <returns>The variables; null past <see cref="MaxVariables"/>.</returns>
    private static ScannedVariable[]? ReadVariables(ref Utf8JsonReader reader)
    {
        var variables = t_variables ??= [];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (variables.Count == MaxVariables)
            {
                return null;
            }

            var name = reader.GetString()!;
            reader.Read();
            variables.Add(reader.TokenType switch
            {
                JsonTokenType.String => new ScannedVariable(name, JsonValueKind.String, reader.GetString()),
                JsonTokenType.Number => new ScannedVariable(name, JsonValueKind.Number, System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
                JsonTokenType.True => new ScannedVariable(name, JsonValueKind.True, null),
                JsonTokenType.False => new ScannedVariable(name, JsonValueKind.False, null),
                JsonTokenType.Null => new ScannedVariable(name, JsonValueKind.Null, null),
                JsonTokenType.StartArray => new ScannedVariable(name, JsonValueKind.Array, null),
                _ => new ScannedVariable(name, JsonValueKind.Object, null),
            });
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        // Strings from the reader are the only things kept: the scratch list is cleared before its next use.
        return variables.ToArray();
    }

    /// <summary>A name given twice, or null. Pairwise for the few variables a request has; a set past that.</summary>
    private static string? DuplicateName(ScannedVariable[] variables)
    {
        if (variables.Length <= 16)
        {
            for (var i = 1; i < variables.Length; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (string.Equals(variables[i].Name, variables[j].Name, StringComparison.Ordinal))
                    {
                        return variables[i].Name;
                    }
                }
            }

            return null;
        }

        var seen = new HashSet<string>(variables.Length, StringComparer.Ordinal);
        foreach (var variable in variables)
        {
            if (!seen.Add(variable.Name))
            {
                return variable.Name;
            }
        }

        return null;
    }

    private static TopLevelField Identify(ref Utf8JsonReader reader)
    {
        // Ordered by how often the names occur in chat requests.
        if (reader.ValueTextEquals("model"u8)) return TopLevelField.Model;
        if (reader.ValueTextEquals("messages"u8)) return TopLevelField.Messages;
        if (reader.ValueTextEquals("stream"u8)) return TopLevelField.Stream;
        if (reader.ValueTextEquals("stream_options"u8)) return TopLevelField.StreamOptions;
        if (reader.ValueTextEquals("temperature"u8)) return TopLevelField.Temperature;
        if (reader.ValueTextEquals("max_tokens"u8)) return TopLevelField.MaxTokens;
        if (reader.ValueTextEquals("max_completion_tokens"u8)) return TopLevelField.MaxCompletionTokens;
        if (reader.ValueTextEquals("prompt_variables"u8)) return TopLevelField.PromptVariables;
        if (reader.ValueTextEquals("user"u8)) return TopLevelField.User;
        if (reader.ValueTextEquals("top_p"u8)) return TopLevelField.TopP;
        if (reader.ValueTextEquals("tools"u8)) return TopLevelField.Tools;
        if (reader.ValueTextEquals("tool_choice"u8)) return TopLevelField.ToolChoice;
        if (reader.ValueTextEquals("response_format"u8)) return TopLevelField.ResponseFormat;
        if (reader.ValueTextEquals("stop"u8)) return TopLevelField.Stop;
        if (reader.ValueTextEquals("seed"u8)) return TopLevelField.Seed;
        if (reader.ValueTextEquals("presence_penalty"u8)) return TopLevelField.PresencePenalty;
        if (reader.ValueTextEquals("frequency_penalty"u8)) return TopLevelField.FrequencyPenalty;
        if (reader.ValueTextEquals("service_tier"u8)) return TopLevelField.ServiceTier;
        if (reader.ValueTextEquals("background"u8)) return TopLevelField.Background;
        return TopLevelField.Other;
    }

    // The reader's message names a byte position, which helps the client find its mistake.
    private static string Describe(JsonException ex) =>
        ex.BytePositionInLine is { } position ? $"invalid JSON at line {ex.LineNumber + 1}, byte {position}." : "invalid JSON.";
}
