using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace LlmGateway.Cli.Prompts;

/// <summary>
/// What <c>prompts diff</c> compares: each version's bundle as indented JSON without the metadata
/// that differs between any two versions, and a unified-style line diff of the two.
/// </summary>
internal static class PromptDiff
{
    /// <summary>Fields that differ between any two versions (or say who and when), so they would only be noise.</summary>
    public static readonly IReadOnlySet<string> VolatileFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "version", "created_at", "author", "parent", "status", "approved_by", "approved_at",
    };

    public const int DefaultContextLines = 3;

    private static readonly JsonWriterOptions IndentedOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The bundle as indented JSON, top-level <see cref="VolatileFields"/> removed, everything else in the server's order.</summary>
    public static string Normalise(JsonElement bundle)
    {
        if (bundle.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A bundle is a JSON object.", nameof(bundle));
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, IndentedOptions))
        {
            writer.WriteStartObject();
            foreach (var property in bundle.EnumerateObject())
            {
                if (!VolatileFields.Contains(property.Name))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// A unified diff (<c>---</c>/<c>+++</c> headers, <c>@@</c> hunks with <paramref name="context"/> lines
    /// around each change), or the empty string when the texts are the same line for line.
    /// </summary>
    public static string Unified(string oldText, string newText, string oldLabel, string newLabel, int context = DefaultContextLines)
    {
        ArgumentNullException.ThrowIfNull(oldText);
        ArgumentNullException.ThrowIfNull(newText);
        ArgumentOutOfRangeException.ThrowIfNegative(context);

        var lines = Number(InlineDiffBuilder.Diff(oldText, newText, ignoreWhiteSpace: false, ignoreCase: false).Lines);
        var changed = Enumerable.Range(0, lines.Count).Where(i => lines[i].Type != ChangeType.Unchanged).ToList();
        if (changed.Count == 0)
        {
            return "";
        }

        var diff = new StringBuilder();
        diff.Append("--- ").Append(oldLabel).Append('\n');
        diff.Append("+++ ").Append(newLabel).Append('\n');

        var next = 0;
        while (next < changed.Count)
        {
            // A hunk runs from `context` lines before its first change to `context` lines after its last;
            // changes closer than 2 × context share a hunk, as in diff -u.
            var first = changed[next];
            var last = first;
            while (next + 1 < changed.Count && changed[next + 1] - last <= (2 * context) + 1)
            {
                last = changed[++next];
            }

            next++;
            AppendHunk(diff, lines, Math.Max(0, first - context), Math.Min(lines.Count - 1, last + context));
        }

        return diff.ToString();
    }

    private static void AppendHunk(StringBuilder diff, List<DiffLine> lines, int start, int end)
    {
        var hunk = lines.GetRange(start, end - start + 1);
        var oldCount = hunk.Count(line => line.Type != ChangeType.Inserted);
        var newCount = hunk.Count(line => line.Type != ChangeType.Deleted);

        // By convention an empty side names the line before the hunk (0 at the very top).
        var oldStart = oldCount == 0 ? lines[start].OldLinesBefore : lines[start].OldLinesBefore + 1;
        var newStart = newCount == 0 ? lines[start].NewLinesBefore : lines[start].NewLinesBefore + 1;
        diff.Append(CultureInfo.InvariantCulture, $"@@ -{oldStart},{oldCount} +{newStart},{newCount} @@\n");

        foreach (var line in hunk)
        {
            diff.Append(line.Type switch
            {
                ChangeType.Deleted => '-',
                ChangeType.Inserted => '+',
                _ => ' ',
            }).Append(line.Text).Append('\n');
        }
    }

    private static List<DiffLine> Number(IEnumerable<DiffPiece> pieces)
    {
        var numbered = new List<DiffLine>();
        int oldBefore = 0, newBefore = 0;
        foreach (var piece in pieces)
        {
            // The inline builder yields only these three; anything else carries no line.
            var type = piece.Type;
            if (type is not (ChangeType.Deleted or ChangeType.Inserted or ChangeType.Unchanged))
            {
                continue;
            }

            numbered.Add(new DiffLine(type, piece.Text ?? "", oldBefore, newBefore));
            if (type != ChangeType.Inserted)
            {
                oldBefore++;
            }

            if (type != ChangeType.Deleted)
            {
                newBefore++;
            }
        }

        return numbered;
    }
}
