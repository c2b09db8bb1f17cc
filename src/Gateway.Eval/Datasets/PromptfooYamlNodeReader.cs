using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Contracts.Yaml;
using YamlDotNet.RepresentationModel;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Reads the YAML nodes of one promptfoo test file into <see cref="PromptfooTest"/>s; every error carries the file
/// name and the node's line. See <see cref="PromptfooTestsReader"/> for what is read.
/// </summary>
internal sealed class PromptfooYamlNodeReader(string file)
{
    // One for the file: its nodes are converted one by one, and aliases repeating them must not multiply what it expands to.
    private readonly YamlExpansionBudget _budget = new();

    private static readonly string[] SuiteKeys = ["tests", "defaultTest"];

    // Suite keys that say how promptfoo calls models or stores results: the gateway decides those.
    private static readonly string[] IgnoredSuiteKeys =
        ["description", "prompts", "providers", "env", "evaluateOptions", "outputPath", "sharing", "tags", "writeLatestResults"];

    private static readonly string[] TestKeys = ["description", "vars", "assert", "options", "metadata", "threshold"];
    private static readonly string[] DefaultTestKeys = ["vars", "assert", "options", "metadata", "threshold"];
    private static readonly string[] AssertionKeys = ["type", "value", "threshold", "weight", "metric", "assert", "provider"];

    public (List<PromptfooTest> Tests, PromptfooTest? Defaults) Suite(YamlNode root)
    {
        switch (root)
        {
            case YamlSequenceNode list:
                return (Tests(list), null);
            case YamlMappingNode suite:
                var map = Keys(suite, "the suite", [.. SuiteKeys, .. IgnoredSuiteKeys]);
                if (!map.TryGetValue("tests", out var testsNode))
                {
                    throw Error(root, "a promptfoo suite needs 'tests' (a list of tests)");
                }

                var defaults = map.TryGetValue("defaultTest", out var d) ? Test(d, "defaultTest", DefaultTestKeys) : null;
                return (testsNode is YamlSequenceNode tests ? Tests(tests) : throw NotAList(testsNode, "'tests'"), defaults);
            default:
                throw Error(root, "expected a list of tests, or a mapping with 'tests' and optionally 'defaultTest'");
        }
    }

    private List<PromptfooTest> Tests(YamlSequenceNode list)
    {
        var tests = new List<PromptfooTest>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            tests.Add(Test(list.Children[i], $"test {i + 1}", TestKeys));
        }

        return tests;
    }

    private PromptfooTest Test(YamlNode node, string at, string[] allowed)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw node is YamlScalarNode { Value: { } reference } && reference.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
                ? Error(node, $"{at}: '{reference}' refers to another file, which this reader does not follow; list that file under datasets: instead")
                : Error(node, $"{at}: expected a mapping with {string.Join(", ", allowed)}");
        }

        var map = Keys(mapping, at, allowed);
        var description = map.TryGetValue("description", out var descriptionNode) ? Text(descriptionNode, $"{at}, description") : null;
        if (description is not null)
        {
            at = $"{at} ('{description}')";
        }

        var disableVarExpansion = map.TryGetValue("options", out var options) ? DisableVarExpansion(options, $"{at}, options") : null;
        return new PromptfooTest
        {
            Line = PromptfooTestsReader.Line(node),
            Description = string.IsNullOrWhiteSpace(description) ? null : description,
            Vars = map.TryGetValue("vars", out var vars) ? Mapping(vars, $"{at}, vars") : new Dictionary<string, JsonNode?>(),
            Assertions = map.TryGetValue("assert", out var assert) ? Assertions(assert, $"{at}, assert") : [],
            DisableVarExpansion = disableVarExpansion,
            Metadata = map.TryGetValue("metadata", out var metadata) ? Mapping(metadata, $"{at}, metadata") : new Dictionary<string, JsonNode?>(),
            Threshold = map.TryGetValue("threshold", out var threshold) ? Number(threshold, $"{at}, threshold") : null,
        };
    }

    private List<JsonObject> Assertions(YamlNode node, string at)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return [];
        }

        if (node is not YamlSequenceNode list)
        {
            throw NotAList(node, $"{at}");
        }

        var assertions = new List<JsonObject>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var child = list.Children[i];
            var assertion = Assertion(child, $"{at}[{i}]");
            try
            {
                // Checked here, at the assertion's own line; the case builder checks again once defaults are merged.
                _ = PromptfooAssertions.ToSpec(assertion);
            }
            catch (JsonException ex)
            {
                throw Error(child, $"{at}[{i}]: {ex.Message}");
            }

            assertions.Add(assertion);
        }

        return assertions;
    }

    private JsonObject Assertion(YamlNode node, string at)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw Error(node, $"{at}: expected an assertion mapping (type, value, threshold, weight, metric)");
        }

        var map = Keys(mapping, at, AssertionKeys, UnsupportedAssertionKey);
        if (!map.TryGetValue("type", out var typeNode) || Text(typeNode, $"{at}.type") is not { Length: > 0 } type)
        {
            throw Error(node, $"{at}: 'type' is required");
        }

        if (PromptfooAssertions.UnsupportedType(type) is { } problem)
        {
            throw Error(typeNode, $"{at}: {problem}");
        }

        if (map.TryGetValue("value", out var value) && value is YamlScalarNode { Value: { } v } && v.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            throw Error(value, $"{at}.value loads a file ('{v}'), which this reader does not follow; put the value inline");
        }

        var json = new JsonObject();
        foreach (var (key, child) in map)
        {
            // provider picks promptfoo's grader; gatewayctl grades with --judge-model and --embedding-model.
            if (key == "provider")
            {
                continue;
            }

            json[key] = key == "assert"
                ? new JsonArray([.. Members(child, $"{at}.assert")])
                : Convert(child, $"{at}.{key}");
        }

        return json;
    }

    private List<JsonNode> Members(YamlNode node, string at) =>
        node is YamlSequenceNode list
            ? list.Children.Select((child, i) => (JsonNode)Assertion(child, $"{at}[{i}]")).ToList()
            : throw NotAList(node, at);

    // Of a test's options only disableVarExpansion changes what this reader produces; see UnsupportedOption.
    private bool? DisableVarExpansion(YamlNode options, string at)
    {
        var mapping = options as YamlMappingNode ?? throw Error(options, $"{at}: expected a mapping");
        var map = Keys(mapping, at, ["disableVarExpansion", "provider", "runSerially"], UnsupportedOption);
        if (!map.TryGetValue("disableVarExpansion", out var node))
        {
            return null;
        }

        return Convert(node, $"{at}.disableVarExpansion") is JsonValue value && value.TryGetValue<bool>(out var flag)
            ? flag
            : throw Error(node, $"{at}.disableVarExpansion: expected true or false");
    }

    private Dictionary<string, JsonNode?> Mapping(YamlNode node, string at)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        }

        if (node is not YamlMappingNode mapping)
        {
            throw node is YamlScalarNode { Value: { } s } && s.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
                ? Error(node, $"{at}: '{s}' refers to another file, which this reader does not follow; write the mapping inline")
                : Error(node, $"{at}: expected a mapping of names to values");
        }

        var map = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            var name = KeyName(key, at);
            map[name] = Convert(value, $"{at}.{name}");
        }

        return map;
    }

    private Dictionary<string, YamlNode> Keys(YamlMappingNode mapping, string at, string[] allowed, Func<string, string?>? explain = null)
    {
        var map = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = KeyName(keyNode, at);
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                var why = explain?.Invoke(key) ?? $"expected {string.Join(", ", allowed)}";
                throw Error(keyNode, $"{at}: '{key}' is not supported: {why}");
            }

            if (!map.TryAdd(key, value))
            {
                throw Error(keyNode, $"{at}: '{key}' appears twice");
            }
        }

        return map;
    }

    private string KeyName(YamlNode key, string at) =>
        key is YamlScalarNode { Value: { } name } ? name : throw Error(key, $"{at}: keys must be plain names");

    private string? Text(YamlNode node, string at) => Convert(node, at) switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value => value.ToJsonString(),
        _ => throw Error(node, $"{at}: expected text"),
    };

    private double Number(YamlNode node, string at) =>
        Convert(node, at) is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number)
            ? number
            : throw Error(node, $"{at}: expected a number");

    private JsonNode? Convert(YamlNode node, string at)
    {
        try
        {
            return JsonNode.Parse(YamlToJsonConverter.ConvertNode(node, _budget));
        }
        catch (YamlConversionException ex)
        {
            throw Error(node, $"{at}: {ex.Message}");
        }
    }

    private DatasetFormatException NotAList(YamlNode node, string at) =>
        node is YamlScalarNode { Value: { } s } && s.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
            ? Error(node, $"{at}: '{s}' refers to another file, which this reader does not follow; list that file under datasets: instead")
            : Error(node, $"{at}: expected a list");

    private DatasetFormatException Error(YamlNode node, string problem) => new(file, PromptfooTestsReader.Line(node), problem);

    private static string? UnsupportedAssertionKey(string key) => key switch
    {
        "transform" or "contextTransform" => "it rewrites the output before scoring, which this reader cannot do",
        "rubricPrompt" => "it replaces the grader's prompt; gatewayctl's llm-rubric uses its own",
        "config" => "it configures code assertions, which gatewayctl does not run",
        _ => null,
    };

    private static string? UnsupportedOption(string key) => key switch
    {
        "prefix" or "suffix" => "it changes the prompt text; the gateway's prompt bundle owns the prompt",
        "transform" or "postprocess" => "it rewrites the output before scoring, which this reader cannot do",
        "rubricPrompt" => "it replaces the grader's prompt; gatewayctl's llm-rubric uses its own",
        "storeOutputAs" => "it chains tests through their outputs, which this reader cannot do",
        _ => "only disableVarExpansion is read (provider and runSerially are ignored)",
    };
}
