using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Reads a promptfoo CSV test file as a dataset: the header names the columns and each row is a test. A plain
/// column is a var (its cells are strings). <c>__expected</c>, <c>__expected1</c>, <c>__expected2</c>… hold one
/// assertion each in promptfoo's shorthand (<see cref="PromptfooAssertionShorthand"/>; blank cells are skipped);
/// <c>__description</c> is the test's description, <c>__metric</c> tags every assertion of the row,
/// <c>__threshold</c> is the test's threshold, and <c>__metadata:key</c> (or <c>__metadata:key[]</c>, a
/// comma-separated list with <c>\,</c> for a literal comma) is metadata.
/// </summary>
/// <remarks>
/// <c>__prefix</c>, <c>__suffix</c> and <c>__providerOutput</c> are refused when a row fills them: they change the
/// prompt or replace the model's answer. <c>__config:…</c> and any other <c>__</c> column are refused, and so is a
/// single-underscore <c>_expected</c>-style column (promptfoo would quietly make it a var). Column names are
/// trimmed, so <c>q, __expected</c> is an assertion column rather than a var named " __expected"; a name that is
/// empty or repeated once trimmed is an error.
/// </remarks>
internal static partial class PromptfooCsvReader
{
    private static readonly string[] RefusedWhenFilled = ["__prefix", "__suffix", "__providerOutput"];
    private static readonly string[] Special = ["__description", "__metric", "__threshold", .. RefusedWhenFilled];

    /// <exception cref="DatasetFormatException">The CSV is malformed, or a column or cell cannot be mapped.</exception>
    public static EvalDataset Parse(ReadOnlySpan<byte> bytes, string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        var id = DatasetReader.IdOf(bytes, fileName);
        var text = Encoding.UTF8.GetString(bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes);
        var records = CsvRecordParser.Parse(text, fileName);
        if (records.Count == 0)
        {
            throw new DatasetFormatException(fileName, 0, "the file is empty; expected a header row naming the columns");
        }

        var header = records[0];
        var names = header.Fields.Select(f => f.Trim()).ToList();
        CheckHeader(header, names, fileName);
        var tests = new List<PromptfooTest>();
        foreach (var row in records.Skip(1))
        {
            if (row.Fields.Count != header.Fields.Count)
            {
                throw new DatasetFormatException(fileName, row.Line, $"the row has {row.Fields.Count} fields but the header has {header.Fields.Count}");
            }

            tests.Add(ReadRow(names, row, fileName));
        }

        return PromptfooCaseBuilder.Build(id, fileName, tests);
    }

    // names are header.Fields trimmed; problems quote the column as written when trimming changed it.
    private static void CheckHeader(CsvRecord header, List<string> names, string file)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < names.Count; c++)
        {
            var name = names[c];
            string? problem = null;
            if (name.Length == 0)
            {
                problem = header.Fields[c].Length == 0
                    ? $"column {c + 1} has no name"
                    : $"column {c + 1} ('{header.Fields[c]}') has no name once its spaces are trimmed";
            }
            else if (seen.TryGetValue(name, out var first))
            {
                problem = header.Fields[c] == name && header.Fields[first] == name
                    ? $"the column '{name}' appears twice"
                    : $"the column '{name}' appears twice once names are trimmed: column {first + 1} is '{header.Fields[first]}' and column {c + 1} is '{header.Fields[c]}'";
            }
            else if (name.StartsWith("__config:", StringComparison.Ordinal))
            {
                problem = $"the column '{name}' is not supported; write the threshold in the assertion instead, e.g. similar(0.9): …";
            }
            else if (name == "__metadata" || name is "__metadata:" or "__metadata:[]")
            {
                problem = $"the column '{name}' needs a key, e.g. __metadata:category";
            }
            else if (name.StartsWith("__", StringComparison.Ordinal) && !IsExpected(name) && !Special.Contains(name, StringComparer.Ordinal)
                && !name.StartsWith("__metadata:", StringComparison.Ordinal))
            {
                problem = $"the column '{name}' is not a promptfoo column; expected __expected[N], {string.Join(", ", Special)} or __metadata:key";
            }
            else if (SingleUnderscore().IsMatch(name))
            {
                problem = $"the column '{name}' has one leading underscore; promptfoo's special columns have two ('_{name}')";
            }

            if (problem is not null)
            {
                throw new DatasetFormatException(file, header.Line, problem);
            }

            seen[name] = c;
        }
    }

    private static PromptfooTest ReadRow(List<string> names, CsvRecord row, string file)
    {
        DatasetFormatException Error(string problem) => new(file, row.Line, problem);

        var vars = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var assertions = new List<JsonObject>();
        string? description = null;
        string? metric = null;
        double? threshold = null;
        for (var c = 0; c < names.Count; c++)
        {
            var name = names[c];
            var cell = row.Fields[c];
            if (IsExpected(name))
            {
                if (cell.Trim().Length > 0)
                {
                    assertions.Add(PromptfooAssertionShorthand.Parse(cell, out var problem) ?? throw Error($"{name}: {problem}"));
                }
            }
            else if (RefusedWhenFilled.Contains(name, StringComparer.Ordinal))
            {
                if (cell.Trim().Length > 0)
                {
                    throw Error(name == "__providerOutput"
                        ? "__providerOutput replaces the model's answer; gatewayctl evaluates what the gateway returns"
                        : $"{name} changes the prompt text; the gateway's prompt bundle owns the prompt, so leave it empty");
                }
            }
            else if (name == "__description")
            {
                description = cell.Trim().Length > 0 ? cell : null;
            }
            else if (name == "__metric")
            {
                metric = cell.Trim().Length > 0 ? cell.Trim() : null;
            }
            else if (name == "__threshold")
            {
                if (cell.Trim().Length > 0)
                {
                    threshold = double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && double.IsFinite(t)
                        ? t
                        : throw Error($"__threshold: '{cell}' is not a number");
                }
            }
            else if (name.StartsWith("__metadata:", StringComparison.Ordinal))
            {
                var key = name["__metadata:".Length..];
                metadata[key.EndsWith("[]", StringComparison.Ordinal) ? key[..^2] : key] = key.EndsWith("[]", StringComparison.Ordinal)
                    ? new JsonArray([.. SplitList(cell).Select(v => (JsonNode)v)])
                    : cell;
            }
            else
            {
                vars[name] = cell;
            }
        }

        // promptfoo gives every assertion of the row the row's metric.
        if (metric is not null)
        {
            foreach (var assertion in assertions)
            {
                assertion["metric"] = metric;
            }
        }

        return new PromptfooTest
        {
            Line = row.Line,
            Description = description,
            Vars = vars,
            Assertions = assertions,
            Metadata = metadata,
            Threshold = threshold,
        };
    }

    private static bool IsExpected(string name) => ExpectedColumn().IsMatch(name);

    // "a,b\,c" → ["a", "b,c"]
    private static IEnumerable<string> SplitList(string cell) =>
        UnescapedComma().Split(cell).Select(v => v.Replace("\\,", ",", StringComparison.Ordinal).Trim()).Where(v => v.Length > 0);

    [GeneratedRegex(@"^__expected\d*$", RegexOptions.CultureInvariant)]
    private static partial Regex ExpectedColumn();

    [GeneratedRegex(@"^_(?:expected\d*|description|metric|threshold|prefix|suffix|providerOutput|metadata(?::.*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex SingleUnderscore();

    [GeneratedRegex(@"(?<!\\),", RegexOptions.CultureInvariant)]
    private static partial Regex UnescapedComma();
}
