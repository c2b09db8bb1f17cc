using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmGateway.Contracts.Yaml;

/// <summary>
/// Turns one YAML document into JSON with the types a reader of the YAML would expect, using the
/// YAML 1.2 core schema: unquoted <c>0.2</c> is a number, <c>true</c> a boolean, <c>null</c>/<c>~</c>/nothing
/// is null, and anything quoted, or a <c>|</c>/<c>&gt;</c> block, stays a string. YAML 1.1 spellings such as
/// <c>yes</c>/<c>on</c> and dates stay strings, so <c>snapshot: 2026-11-01</c> is the string the contract wants.
/// Anchors, aliases and <c>&lt;&lt;</c> merge keys are expanded.
/// </summary>
internal static partial class YamlToJsonConverter
{
    /// <summary>Deeper than any real bundle; stops a self-referencing alias from recursing forever.</summary>
    public const int MaxDepth = 64;

    private const string CoreSchemaPrefix = "tag:yaml.org,2002:";

    /// <summary>The longest integer (decimal, octal or hex) converted: its conversion grows with the square of its length.</summary>
    public const int MaxNumberDigits = 400;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Our own depth limit fires first, with a better message.
        MaxDepth = MaxDepth + 2,
    };

    /// <summary>The JSON text of the single document in <paramref name="yaml"/>.</summary>
    /// <exception cref="YamlConversionException">Invalid YAML, several or no documents, or a value JSON cannot hold.</exception>
    public static string Convert(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);

        YamlStream stream;
        try
        {
            stream = YamlNesting.Load(yaml);
        }
        catch (YamlException ex)
        {
            throw new YamlConversionException(InnerMessage(ex), ex.Start.Line, ex.Start.Column, ex);
        }

        if (stream.Documents.Count == 0 || IsEmptyScalar(stream.Documents[0].RootNode))
        {
            throw new YamlConversionException("The YAML is empty.");
        }

        if (stream.Documents.Count > 1)
        {
            throw new YamlConversionException(
                $"The YAML has {stream.Documents.Count} documents (separated by '---'); put one prompt bundle per file.",
                stream.Documents[1].RootNode.Start.Line,
                stream.Documents[1].RootNode.Start.Column);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteNode(writer, stream.Documents[0].RootNode, depth: 0, new YamlExpansionBudget());
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The JSON text of one node of an already loaded document (a config's assertion, a promptfoo test), with the
    /// same typing rules as <see cref="Convert"/>.
    /// </summary>
    /// <param name="budget">The file's, when its nodes are converted one by one: what they expand to is bounded together.</param>
    /// <exception cref="YamlConversionException">A value JSON cannot hold, nesting deeper than <see cref="MaxDepth"/>, or a file expanding past its budget.</exception>
    public static string ConvertNode(YamlNode node, YamlExpansionBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        budget ??= new YamlExpansionBudget();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteNode(writer, node, depth: 0, budget);
        }

        if (!budget.TryWrite(buffer.Length))
        {
            throw Error(node, TooLarge);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string TooMuchWork =>
        $"The YAML's aliases and merge keys expand to more than {YamlExpansionBudget.MaxSteps} values (merge keys of merge keys?).";

    private static string TooLarge =>
        $"The YAML converts to more than {YamlExpansionBudget.MaxJsonBytes / (1024 * 1024)} MB of JSON (aliases repeating aliases? A dataset that large belongs in JSONL).";

    private static void WriteNode(Utf8JsonWriter writer, YamlNode node, int depth, YamlExpansionBudget budget)
    {
        if (depth > MaxDepth)
        {
            throw Error(node, $"The YAML nests deeper than {MaxDepth} levels (or an alias refers to itself).");
        }

        if (budget.Written + writer.BytesCommitted + writer.BytesPending > YamlExpansionBudget.MaxJsonBytes)
        {
            throw Error(node, TooLarge);
        }

        if (!budget.TryStep())
        {
            throw Error(node, TooMuchWork);
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    WriteNode(writer, item, depth + 1, budget);
                }

                writer.WriteEndArray();
                break;
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in MappingEntries(mapping, depth, budget))
                {
                    writer.WritePropertyName(key);
                    WriteNode(writer, value, depth + 1, budget);
                }

                writer.WriteEndObject();
                break;
            default:
                throw Error(node, $"Unsupported YAML node '{node.NodeType}'.");
        }
    }

    /// <summary>
    /// The entries of a mapping as JSON property names, in document order, with <c>&lt;&lt;</c> merge keys
    /// expanded where they stand (keys written explicitly win over merged ones).
    /// </summary>
    private static List<KeyValuePair<string, YamlNode>> MappingEntries(YamlMappingNode mapping, int depth, YamlExpansionBudget budget)
    {
        // Each visit counts, merged entries or none: merge keys of empty mappings are work that writes nothing.
        if (!budget.TryStep())
        {
            throw Error(mapping, TooMuchWork);
        }

        if (depth > MaxDepth)
        {
            throw Error(mapping, $"The YAML nests deeper than {MaxDepth} levels (or an alias refers to itself).");
        }

        var explicitKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, _) in mapping.Children)
        {
            if (!IsMergeKey(keyNode))
            {
                var key = KeyText(keyNode);
                // YAML compares keys by node; JSON by text, so "1" and 1 would collide only here.
                if (!explicitKeys.Add(key))
                {
                    throw Error(keyNode, $"Duplicate key '{key}'.");
                }
            }
        }

        var entries = new List<KeyValuePair<string, YamlNode>>();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (!IsMergeKey(keyNode))
            {
                var key = KeyText(keyNode);
                written.Add(key);
                entries.Add(new(key, valueNode));
                continue;
            }

            foreach (var source in MergeSources(valueNode))
            {
                foreach (var merged in MappingEntries(source, depth + 1, budget))
                {
                    if (!budget.TryStep())
                    {
                        throw Error(source, TooMuchWork);
                    }

                    if (!explicitKeys.Contains(merged.Key) && written.Add(merged.Key))
                    {
                        entries.Add(merged);
                    }
                }
            }
        }

        return entries;
    }

    private static bool IsMergeKey(YamlNode key) =>
        key is YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain or ScalarStyle.Any } scalar && scalar.Tag.IsEmpty;

    private static IEnumerable<YamlMappingNode> MergeSources(YamlNode value) => value switch
    {
        YamlMappingNode single => [single],
        YamlSequenceNode many when many.Children.All(child => child is YamlMappingNode) => many.Children.Cast<YamlMappingNode>(),
        _ => throw Error(value, "A '<<' merge key needs a mapping or a list of mappings (usually an alias like *defaults)."),
    };

    private static string KeyText(YamlNode key) => key switch
    {
        YamlScalarNode scalar => scalar.Value ?? "",
        _ => throw Error(key, "Keys must be plain strings; JSON has no lists or maps as keys."),
    };

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";

        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            WriteTaggedScalar(writer, scalar, text);
            return;
        }

        // Quoted, literal (|) and folded (>) scalars are strings whatever they look like; so is
        // anything carrying the non-specific tag '!'. Only plain scalars are resolved by the schema.
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || !scalar.Tag.IsEmpty)
        {
            writer.WriteStringValue(text);
            return;
        }

        if (IsNull(text))
        {
            writer.WriteNullValue();
        }
        else if (TryParseBoolean(text, out var boolean))
        {
            writer.WriteBooleanValue(boolean);
        }
        else if (TryNumberAsJson(scalar, text, out var number))
        {
            writer.WriteRawValue(number, skipInputValidation: false);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    private static void WriteTaggedScalar(Utf8JsonWriter writer, YamlScalarNode scalar, string text)
    {
        var tag = scalar.Tag.Value;
        switch (tag.StartsWith(CoreSchemaPrefix, StringComparison.Ordinal) ? tag[CoreSchemaPrefix.Length..] : tag)
        {
            case "str":
                writer.WriteStringValue(text);
                break;
            case "null" when IsNull(text):
                writer.WriteNullValue();
                break;
            case "bool" when TryParseBoolean(text, out var boolean):
                writer.WriteBooleanValue(boolean);
                break;
            case "int" when IntegerPattern().IsMatch(text) || OctalPattern().IsMatch(text) || HexPattern().IsMatch(text):
            case "float" when TryNumberAsJson(scalar, text, out _):
                TryNumberAsJson(scalar, text, out var number);
                writer.WriteRawValue(number, skipInputValidation: false);
                break;
            case "null" or "bool" or "int" or "float":
                throw Error(scalar, $"'{text}' is not a valid !!{tag[CoreSchemaPrefix.Length..]}.");
            default:
                throw Error(scalar, $"Unsupported YAML tag '{tag}'; use plain values, quotes or !!str/!!int/!!float/!!bool/!!null.");
        }
    }

    private static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    private static bool TryParseBoolean(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// A core-schema number as JSON number text. Text that is already valid JSON is kept exactly (so
    /// <c>0.20</c> and <c>1e-3</c> survive unrounded); other spellings (<c>+1</c>, <c>007</c>, <c>.5</c>,
    /// <c>0x1F</c>, <c>0o17</c>) are rewritten to their JSON equivalent.
    /// </summary>
    private static bool TryNumberAsJson(YamlScalarNode scalar, string text, out string json)
    {
        if (JsonNumberPattern().IsMatch(text))
        {
            json = text;
            return true;
        }

        // Converting grows with the square of the digits: a million-digit literal would take hours (and no longer one is
        // a real value).
        if (text.Length > MaxNumberDigits + 2 && (IntegerPattern().IsMatch(text) || OctalPattern().IsMatch(text) || HexPattern().IsMatch(text)))
        {
            throw Error(scalar, $"A number of more than {MaxNumberDigits} digits; quote it if you mean the text.");
        }

        if (IntegerPattern().IsMatch(text))
        {
            json = BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
            return true;
        }

        if (OctalPattern().IsMatch(text))
        {
            json = ParseRadix(text[2..], 8).ToString(CultureInfo.InvariantCulture);
            return true;
        }

        if (HexPattern().IsMatch(text))
        {
            json = ParseRadix(text[2..], 16).ToString(CultureInfo.InvariantCulture);
            return true;
        }

        var match = FloatPattern().Match(text);
        if (match.Success)
        {
            var sign = match.Groups["sign"].Value == "-" ? "-" : "";
            var whole = match.Groups["whole"].Value.TrimStart('0');
            var fraction = match.Groups["fraction"].Value;
            var exponent = match.Groups["exponent"].Value;
            json = sign + (whole.Length == 0 ? "0" : whole) + (fraction.Length == 0 ? "" : "." + fraction) + exponent;
            return true;
        }

        if (SpecialFloatPattern().IsMatch(text))
        {
            throw Error(scalar, $"'{text}' (infinity or not-a-number) cannot be written in JSON; quote it if you mean the text.");
        }

        json = "";
        return false;
    }

    private static BigInteger ParseRadix(string digits, int radix)
    {

        var value = BigInteger.Zero;
        foreach (var digit in digits)
        {
            value = (value * radix) + System.Convert.ToInt32(digit.ToString(), 16);
        }

        return value;
    }

    private static bool IsEmptyScalar(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar && scalar.Tag.IsEmpty && IsNull(scalar.Value ?? "");

    private static YamlConversionException Error(YamlNode node, string message) =>
        new(message, node.Start.Line, node.Start.Column);

    /// <summary>YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; we say the position our own way.</summary>
    private static string InnerMessage(YamlException ex) => PositionPrefixPattern().Replace(ex.Message, "");

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumberPattern();

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^0o[0-7]+$")]
    private static partial Regex OctalPattern();

    [GeneratedRegex(@"^0x[0-9a-fA-F]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex(@"^(?<sign>[-+]?)(?:(?<whole>[0-9]+)(?:\.(?<fraction>[0-9]*))?|\.(?<fraction>[0-9]+))(?<exponent>[eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex SpecialFloatPattern();

    [GeneratedRegex(@"^(?:\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): )+")]
    private static partial Regex PositionPrefixPattern();
}
