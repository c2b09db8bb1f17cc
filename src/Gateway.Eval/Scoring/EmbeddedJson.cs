using System.Text;
using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>Finds JSON in model output: either the whole output, or objects/arrays embedded in prose or fences.</summary>
internal static class EmbeddedJson
{
    // Bounds the work on adversarial output (thousands of braces); a real answer embeds a handful of documents.
    private const int MaxCandidates = 32;

    /// <summary>Parses the whole output (surrounding whitespace allowed) as one JSON value.</summary>
    public static bool TryParseWhole(string text, out JsonElement element, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            element = default;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The whole output if it is JSON, or else the first embedded object or array.</summary>
    public static bool TryParseWholeOrFirst(string text, out JsonElement element)
    {
        if (TryParseWhole(text, out element, out _))
        {
            return true;
        }

        var found = FindAll(text);
        element = found.Count > 0 ? found[0] : default;
        return found.Count > 0;
    }

    /// <summary>
    /// Every top-level JSON object or array embedded in <paramref name="text"/>, in order. Scanning from each
    /// <c>{</c> or <c>[</c> finds JSON inside a <c>```json</c> fence as well as inline; after a hit the scan resumes
    /// past it, so the members of a found document are not reported again.
    /// </summary>
    public static List<JsonElement> FindAll(string text)
    {
        var found = new List<JsonElement>();
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Length && found.Count < MaxCandidates; i++)
        {
            if (bytes[i] is not ((byte)'{' or (byte)'['))
            {
                continue;
            }

            var reader = new Utf8JsonReader(bytes.AsSpan(i));
            try
            {
                // ParseValue reads exactly one value and ignores whatever prose follows it.
                using var document = JsonDocument.ParseValue(ref reader);
                found.Add(document.RootElement.Clone());
                i += (int)reader.BytesConsumed - 1;
            }
            catch (JsonException)
            {
                // Not JSON from here (a brace in prose, or a truncated document); try the next opening bracket.
            }
        }

        return found;
    }
}
