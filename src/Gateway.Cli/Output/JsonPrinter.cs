using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmGateway.Cli.Output;

/// <summary>Indented JSON for people and scripts: the server's own values, re-indented, nothing added or reordered.</summary>
internal static class JsonPrinter
{
    private static readonly JsonWriterOptions IndentedOptions = new()
    {
        Indented = true,
        // Prompt text is full of apostrophes and non-ASCII; "\u0027" would make it unreadable. This is terminal output, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Pretty(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Pretty(document.RootElement);
    }

    public static string Pretty(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, IndentedOptions))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One line, for a nested value shown inside a table or a summary.</summary>
    public static string Compact(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = IndentedOptions.Encoder }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
