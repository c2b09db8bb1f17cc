using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Prompts;

/// <summary>
/// A full bundle for reading: metadata first, then the messages as text, the variables as a table and
/// every other section (params, retrieval, eval, and fields added after this was written) as labelled values.
/// </summary>
internal static class PromptBundleRenderer
{
    private static readonly string[] MetadataFields =
        ["id", "label", "message", "author", "created_at", "parent", "status", "approved_by", "approved_at", "model", "system_message_policy"];

    private static readonly HashSet<string> HandledFields = new(StringComparer.Ordinal)
    {
        "id", "name", "version", "label", "message", "author", "created_at", "parent", "status", "approved_by", "approved_at",
        "model", "system_message_policy", "messages", "variables",
    };

    public static string Render(JsonElement bundle)
    {
        if (bundle.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A bundle is a JSON object.", nameof(bundle));
        }

        var text = new StringBuilder();
        text.Append(Scalar(Property(bundle, "name"))).Append(' ').Append(VersionText(Property(bundle, "version"))).Append('\n');

        var metadata = new LabelledValues();
        foreach (var field in MetadataFields)
        {
            if (bundle.TryGetProperty(field, out var value))
            {
                metadata.Add(field.Replace('_', ' '), field switch
                {
                    "created_at" or "approved_at" => Instant(value),
                    "parent" => VersionText(value),
                    _ => Scalar(value),
                });
            }
        }

        // Scalars the contract may add later still belong with the metadata, not lost.
        foreach (var property in bundle.EnumerateObject())
        {
            if (!HandledFields.Contains(property.Name) && property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                metadata.Add(property.Name.Replace('_', ' '), Scalar(property.Value));
            }
        }

        text.Append(metadata.ToString(indent: 2));

        if (bundle.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            AppendMessages(text, messages);
        }

        if (bundle.TryGetProperty("variables", out var variables) && variables.ValueKind == JsonValueKind.Array && variables.GetArrayLength() > 0)
        {
            AppendVariables(text, variables);
        }

        foreach (var property in bundle.EnumerateObject())
        {
            if (!HandledFields.Contains(property.Name) && property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                AppendSection(text, property.Name, property.Value);
            }
        }

        return text.ToString();
    }

    private static void AppendMessages(StringBuilder text, JsonElement messages)
    {
        text.Append(CultureInfo.InvariantCulture, $"\nMessages ({messages.GetArrayLength()})\n");
        var number = 0;
        foreach (var message in messages.EnumerateArray())
        {
            number++;
            var role = message.ValueKind == JsonValueKind.Object ? Scalar(Property(message, "role")) : "?";
            var name = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("name", out var n) ? $" ({Scalar(n)})" : "";
            text.Append(CultureInfo.InvariantCulture, $"  #{number} {role}{name}\n");

            var content = message.ValueKind == JsonValueKind.Object ? Property(message, "content") : message;
            var body = content.ValueKind == JsonValueKind.String ? content.GetString() ?? "" : JsonPrinter.Pretty(content);
            foreach (var line in body.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n'))
            {
                text.Append("    ").Append(line).Append('\n');
            }
        }
    }

    private static void AppendVariables(StringBuilder text, JsonElement variables)
    {
        text.Append("\nVariables\n");
        var table = new TextTable("NAME", "REQUIRED", "DEFAULT", "DESCRIPTION");
        foreach (var variable in variables.EnumerateArray())
        {
            table.AddRow(
                Scalar(Property(variable, "name")),
                Property(variable, "required").ValueKind == JsonValueKind.True ? "yes" : "no",
                Scalar(Property(variable, "default")),
                Scalar(Property(variable, "description")));
        }

        foreach (var line in table.ToString().TrimEnd('\n').Split('\n'))
        {
            text.Append("  ").Append(line).Append('\n');
        }
    }

    private static void AppendSection(StringBuilder text, string name, JsonElement value)
    {
        text.Append('\n').Append(char.ToUpperInvariant(name[0])).Append(name.AsSpan(1).ToString().Replace('_', ' ')).Append('\n');
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                text.Append("  - ").Append(Scalar(item)).Append('\n');
            }

            return;
        }

        var values = new LabelledValues();
        foreach (var property in value.EnumerateObject())
        {
            values.Add(property.Name, Scalar(property.Value));
        }

        text.Append(values.ToString(indent: 2));
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>Strings as they are, numbers and booleans as written, null as "-", nested values as one line of JSON.</summary>
    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => TextTable.Missing,
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Object or JsonValueKind.Array => JsonPrinter.Compact(value),
        _ => value.GetRawText(),
    };

    private static string VersionText(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var version) ? Display.Version(version) : Scalar(value);

    private static string Instant(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? Display.Instant(instant)
            : Scalar(value);
}
