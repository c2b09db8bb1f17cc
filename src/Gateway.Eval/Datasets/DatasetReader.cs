using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Reads a JSONL dataset, one case per line, in either of two shapes (chosen per line):
/// <list type="bullet">
/// <item>native: <c>{"id", "vars"?, "messages"?, "assert"?, "tags"?, "metadata"?, "expected"?}</c>;</item>
/// <item>the gateway's sample export: <c>{"id", "input": {"messages", "variables"}, "output": {"text", "tool_calls", "finish_reason"}, "metadata"}</c>,
/// where <c>input.variables</c> becomes vars, <c>input.messages</c> messages, and <c>output.text</c> the expected output.
/// An export line may also carry <c>assert</c> and <c>tags</c>, so an exported file can be annotated in place.</item>
/// </list>
/// Blank lines are allowed. Any other problem fails the whole file with its line number.
/// <see cref="LoadAsync"/> also reads promptfoo test files, chosen by extension: <c>.yaml</c>/<c>.yml</c>
/// (<see cref="PromptfooTestsReader"/>) and <c>.csv</c> (<see cref="PromptfooCsvReader"/>); anything else is JSONL.
/// </summary>
internal static class DatasetReader
{
    private static readonly string[] NativeFields = ["id", "vars", "messages", "assert", "tags", "metadata", "expected"];
    private static readonly string[] ExportFields = ["id", "input", "output", "metadata", "assert", "tags"];
    private static readonly string[] ExportInputFields = ["messages", "variables"];

    // A key given twice (two "assert"s) is an error, as it is in the YAML readers, not the last one read unseen.
    private static readonly JsonDocumentOptions LineOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>Loads a dataset file: promptfoo YAML (<c>.yaml</c>, <c>.yml</c>) or CSV (<c>.csv</c>) test files by extension, else JSONL.</summary>
    /// <exception cref="DatasetFormatException">A line is invalid, an id repeats, or the file has no cases.</exception>
    public static async Task<EvalDataset> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var fileName = Path.GetFileName(path);
        var dataset = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".yaml" or ".yml" => PromptfooTestsReader.Parse(bytes, fileName),
            ".csv" => PromptfooCsvReader.Parse(bytes, fileName),
            _ => Parse(bytes, fileName),
        };
        return dataset with { Path = Path.GetFullPath(path) };
    }

    /// <summary>A dataset's identity: its file name and the SHA-256 of its exact bytes (BOM and line endings included).</summary>
    public static DatasetId IdOf(ReadOnlySpan<byte> bytes, string fileName) =>
        new(fileName, Convert.ToHexStringLower(SHA256.HashData(bytes)));

    /// <summary>Parses a dataset's bytes; <paramref name="fileName"/> names it in errors and in its id.</summary>
    /// <exception cref="DatasetFormatException">A line is invalid, an id repeats, or the file has no cases.</exception>
    public static EvalDataset Parse(ReadOnlySpan<byte> bytes, string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);

        // Hash the exact bytes (BOM and line endings included): the id answers "was this file changed?".
        var id = IdOf(bytes, fileName);
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        var cases = new List<EvalCase>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (!bytes.IsEmpty)
        {
            lineNumber++;
            var end = bytes.IndexOf((byte)'\n');
            var line = end < 0 ? bytes : bytes[..end];
            bytes = end < 0 ? [] : bytes[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            var evalCase = ParseLine(line, fileName, lineNumber);
            if (!seen.TryAdd(evalCase.Id, lineNumber))
            {
                throw new DatasetFormatException(fileName, lineNumber, $"duplicate id '{evalCase.Id}' (first on line {seen[evalCase.Id]})");
            }

            cases.Add(evalCase);
        }

        if (cases.Count == 0)
        {
            throw new DatasetFormatException(fileName, 0, "the dataset has no cases");
        }

        return new EvalDataset(id, null, cases);
    }

    private static EvalCase ParseLine(ReadOnlySpan<byte> line, string file, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray(), LineOptions);
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException(file, lineNumber, $"not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error($"expected a JSON object, found {Describe(root)}");
            }

            var isExport = root.TryGetProperty("input", out _) || root.TryGetProperty("output", out _);
            var allowed = isExport ? ExportFields : NativeFields;
            foreach (var property in root.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    var shape = isExport ? "a sample-export line (it has 'input'/'output')" : "a case";
                    throw Error($"unknown field '{property.Name}' in {shape}; expected {string.Join(", ", allowed)}");
                }
            }

            var id = ReadId(root);
            var evalCase = isExport ? ReadExport(root, id) : ReadNative(root, id);
            if (evalCase.Vars is null && evalCase.Messages is null)
            {
                throw Error(isExport
                    ? $"case '{id}': 'input' has neither 'variables' nor 'messages'"
                    : $"case '{id}': a case needs 'vars' or 'messages'");
            }

            return evalCase with
            {
                Line = lineNumber,
                Assertions = ReadAssertions(root),
                Tags = ReadTags(root),
                Metadata = ReadMetadata(root),
            };
        }

        DatasetFormatException Error(string problem) => new(file, lineNumber, problem);

        string ReadId(JsonElement root)
        {
            if (!root.TryGetProperty("id", out var id))
            {
                throw Error("missing 'id'");
            }

            // A numeric id is accepted as its JSON text: exported ids are strings, hand-written ones are often 1, 2, 3.
            var text = id.ValueKind switch
            {
                JsonValueKind.String => id.GetString(),
                JsonValueKind.Number => id.GetRawText(),
                _ => throw Error($"'id' must be a string, found {Describe(id)}"),
            };
            return string.IsNullOrWhiteSpace(text) ? throw Error("'id' must not be empty") : text;
        }

        EvalCase ReadNative(JsonElement root, string id)
        {
            string? expected = null;
            if (root.TryGetProperty("expected", out var e) && e.ValueKind != JsonValueKind.Null)
            {
                expected = e.ValueKind == JsonValueKind.String ? e.GetString() : throw Error($"'expected' must be a string, found {Describe(e)}");
            }

            return new EvalCase
            {
                Id = id,
                Vars = ReadVars(root, "vars"),
                Messages = ReadMessages(root, "messages"),
                Expected = expected,
            };
        }

        EvalCase ReadExport(JsonElement root, string id)
        {
            IReadOnlyDictionary<string, JsonElement>? vars = null;
            JsonElement? messages = null;
            if (root.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null)
            {
                if (input.ValueKind != JsonValueKind.Object)
                {
                    throw Error($"'input' must be an object, found {Describe(input)}");
                }

                foreach (var property in input.EnumerateObject())
                {
                    if (!ExportInputFields.Contains(property.Name, StringComparer.Ordinal))
                    {
                        throw Error($"unknown field 'input.{property.Name}'; expected {string.Join(", ", ExportInputFields)}");
                    }
                }

                vars = ReadVars(input, "variables", "input.variables");
                messages = ReadMessages(input, "messages", "input.messages");
            }

            string? expected = null;
            IReadOnlyList<ToolCall> toolCalls = [];
            if (root.TryGetProperty("output", out var output) && output.ValueKind != JsonValueKind.Null)
            {
                if (output.ValueKind != JsonValueKind.Object)
                {
                    throw Error($"'output' must be an object, found {Describe(output)}");
                }

                // Other output fields (finish_reason, future additions) describe the sample, not the case: ignored.
                if (output.TryGetProperty("text", out var text) && text.ValueKind != JsonValueKind.Null)
                {
                    expected = text.ValueKind == JsonValueKind.String ? text.GetString() : throw Error($"'output.text' must be a string, found {Describe(text)}");
                }

                if (output.TryGetProperty("tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Null)
                {
                    toolCalls = ReadToolCalls(calls);
                }
            }

            return new EvalCase { Id = id, Vars = vars, Messages = messages, Expected = expected, ExpectedToolCalls = toolCalls };
        }

        IReadOnlyList<ToolCall> ReadToolCalls(JsonElement calls)
        {
            if (calls.ValueKind != JsonValueKind.Array)
            {
                throw Error($"'output.tool_calls' must be an array, found {Describe(calls)}");
            }

            var list = new List<ToolCall>();
            var i = 0;
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object)
                {
                    throw Error($"'output.tool_calls[{i}]' must be an object, found {Describe(call)}");
                }

                var name = call.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : string.Empty;
                var arguments = call.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : string.Empty;
                list.Add(new ToolCall(name, arguments));
                i++;
            }

            return list;
        }

        IReadOnlyDictionary<string, JsonElement>? ReadVars(JsonElement parent, string name, string? path = null)
        {
            if (!parent.TryGetProperty(name, out var vars) || vars.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (vars.ValueKind != JsonValueKind.Object)
            {
                throw Error($"'{path ?? name}' must be an object of template variables, found {Describe(vars)}");
            }

            var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in vars.EnumerateObject())
            {
                if (!map.TryAdd(property.Name, property.Value.Clone()))
                {
                    throw Error($"'{path ?? name}' has the key '{property.Name}' twice");
                }
            }

            return map.ToFrozenDictionary(StringComparer.Ordinal);
        }

        JsonElement? ReadMessages(JsonElement parent, string name, string? path = null)
        {
            path ??= name;
            if (!parent.TryGetProperty(name, out var messages) || messages.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (messages.ValueKind != JsonValueKind.Array)
            {
                throw Error($"'{path}' must be an array of chat messages, found {Describe(messages)}");
            }

            var i = 0;
            foreach (var message in messages.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object)
                {
                    throw Error($"'{path}[{i}]' must be a message object, found {Describe(message)}");
                }

                if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(role.GetString()))
                {
                    throw Error($"'{path}[{i}].role' must be a non-empty string");
                }

                i++;
            }

            return messages.Clone();
        }

        IReadOnlyList<AssertionSpec> ReadAssertions(JsonElement root)
        {
            if (!root.TryGetProperty("assert", out var assert) || assert.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (assert.ValueKind != JsonValueKind.Array)
            {
                throw Error($"'assert' must be an array of assertions, found {Describe(assert)}");
            }

            var list = new List<AssertionSpec>();
            var i = 0;
            foreach (var element in assert.EnumerateArray())
            {
                try
                {
                    list.Add(AssertionSpec.FromJson(element));
                }
                catch (JsonException ex)
                {
                    throw Error($"'assert[{i}]': {ex.Message}");
                }

                i++;
            }

            return list;
        }

        IReadOnlyList<string> ReadTags(JsonElement root)
        {
            if (!root.TryGetProperty("tags", out var tags) || tags.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (tags.ValueKind != JsonValueKind.Array)
            {
                throw Error($"'tags' must be an array of strings, found {Describe(tags)}");
            }

            var list = new List<string>();
            var i = 0;
            foreach (var tag in tags.EnumerateArray())
            {
                list.Add(tag.ValueKind == JsonValueKind.String ? tag.GetString()! : throw Error($"'tags[{i}]' must be a string, found {Describe(tag)}"));
                i++;
            }

            return list;
        }

        IReadOnlyDictionary<string, JsonElement> ReadMetadata(JsonElement root)
        {
            if (!root.TryGetProperty("metadata", out var metadata) || metadata.ValueKind == JsonValueKind.Null)
            {
                return FrozenDictionary<string, JsonElement>.Empty;
            }

            if (metadata.ValueKind != JsonValueKind.Object)
            {
                throw Error($"'metadata' must be an object, found {Describe(metadata)}");
            }

            var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in metadata.EnumerateObject())
            {
                map[property.Name] = property.Value.Clone();
            }

            return map.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };
}
