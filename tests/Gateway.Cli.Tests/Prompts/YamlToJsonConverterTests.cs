using System.Text.Json;
using LlmGateway.Cli.Prompts;
using LlmGateway.Contracts.Yaml;

namespace LlmGateway.Cli.Tests.Prompts;

public sealed class YamlToJsonConverterTests
{
    [Theory]
    // Plain scalars resolve by the YAML 1.2 core schema.
    [InlineData("v: 0.2", "0.2")]
    [InlineData("v: 400", "400")]
    [InlineData("v: -7", "-7")]
    [InlineData("v: 1e-3", "1e-3")]
    [InlineData("v: 0.20", "0.20")]
    [InlineData("v: 12345678901234567890", "12345678901234567890")]
    [InlineData("v: true", "true")]
    [InlineData("v: False", "false")]
    [InlineData("v: null", "null")]
    [InlineData("v: ~", "null")]
    [InlineData("v:", "null")]
    // Spellings JSON does not allow are rewritten to the same number.
    [InlineData("v: +5", "5")]
    [InlineData("v: 007", "7")]
    [InlineData("v: .5", "0.5")]
    [InlineData("v: -.5", "-0.5")]
    [InlineData("v: 5.", "5")]
    [InlineData("v: 0x1F", "31")]
    [InlineData("v: 0o17", "15")]
    // Quoted scalars stay strings, whatever they look like.
    [InlineData("v: '0.2'", "\"0.2\"")]
    [InlineData("v: \"400\"", "\"400\"")]
    [InlineData("v: 'true'", "\"true\"")]
    [InlineData("v: 'null'", "\"null\"")]
    [InlineData("v: ''", "\"\"")]
    // YAML 1.1 booleans and dates are plain strings in YAML 1.2 (the contract's snapshot is a string).
    [InlineData("v: yes", "\"yes\"")]
    [InlineData("v: off", "\"off\"")]
    [InlineData("v: 2026-11-01", "\"2026-11-01\"")]
    [InlineData("v: 1.2.3", "\"1.2.3\"")]
    [InlineData("v: 3.2-beta", "\"3.2-beta\"")]
    // Explicit tags win over the look of the value.
    [InlineData("v: !!str 400", "\"400\"")]
    [InlineData("v: !!float 3", "3")]
    [InlineData("v: !!int \"42\"", "42")]
    [InlineData("v: ! 12", "\"12\"")]
    public void Scalars_keep_the_type_a_reader_of_the_YAML_expects(string yaml, string expectedJson)
    {
        var json = YamlToJsonConverter.Convert(yaml);

        Assert.Equal($"{{\"v\":{expectedJson}}}", json);
    }

    [Theory]
    [InlineData("v: |\n  line one\n  line two\n", "line one\nline two\n")]
    [InlineData("v: |-\n  line one\n  line two\n", "line one\nline two")]
    [InlineData("v: >\n  folded\n  text\n", "folded text\n")]
    [InlineData("v: |\n  0.2\n", "0.2\n")]
    [InlineData("v: |\n  You are {{ company }}'s agent.\n\n  Answer in {{ language }}.\n", "You are {{ company }}'s agent.\n\nAnswer in {{ language }}.\n")]
    public void Block_scalars_are_strings(string yaml, string expected)
    {
        using var document = JsonDocument.Parse(YamlToJsonConverter.Convert(yaml));

        var value = document.RootElement.GetProperty("v");
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        Assert.Equal(expected, value.GetString());
    }

    [Fact]
    public void A_whole_bundle_converts_with_nested_maps_and_lists()
    {
        const string yaml = """
            name: support-bot
            label: "3.2"
            model: gpt-4o-mini
            messages:
              - role: system
                content: |
                  You are {{ company }}'s support agent.
                  Answer in {{ language }}.
            variables:
              - { name: company, required: true, description: Brand name }
              - name: language
                required: false
                default: English
            params:
              temperature: 0.2
              max_tokens: 400
              stop: [END, "###"]
              client_overridable: [temperature]
            retrieval: { corpus: kb, snapshot: 2026-11-01, top_k: 5, filters: { lang: en } }
            eval:
              dataset: datasets/support.jsonl
              gate_required: false
              thresholds: {}
            """;

        var expected = """
            {"name":"support-bot","label":"3.2","model":"gpt-4o-mini",
             "messages":[{"role":"system","content":"You are {{ company }}'s support agent.\nAnswer in {{ language }}.\n"}],
             "variables":[{"name":"company","required":true,"description":"Brand name"},
                          {"name":"language","required":false,"default":"English"}],
             "params":{"temperature":0.2,"max_tokens":400,"stop":["END","###"],"client_overridable":["temperature"]},
             "retrieval":{"corpus":"kb","snapshot":"2026-11-01","top_k":5,"filters":{"lang":"en"}},
             "eval":{"dataset":"datasets/support.jsonl","gate_required":false,"thresholds":{}}}
            """;
        using var actualDocument = JsonDocument.Parse(YamlToJsonConverter.Convert(yaml));
        using var expectedDocument = JsonDocument.Parse(expected);
        Assert.True(JsonElement.DeepEquals(expectedDocument.RootElement, actualDocument.RootElement), YamlToJsonConverter.Convert(yaml));
    }

    [Fact]
    public void Anchors_aliases_and_merge_keys_are_expanded_with_explicit_keys_winning()
    {
        const string yaml = """
            defaults: &defaults
              temperature: 0.2
              max_tokens: 400
            params:
              <<: *defaults
              max_tokens: 800
            copy: *defaults
            """;

        Assert.Equal(
            """{"defaults":{"temperature":0.2,"max_tokens":400},"params":{"temperature":0.2,"max_tokens":800},"copy":{"temperature":0.2,"max_tokens":400}}""",
            YamlToJsonConverter.Convert(yaml));
    }

    [Fact]
    public void Non_ASCII_and_quotes_survive()
    {
        using var document = JsonDocument.Parse(YamlToJsonConverter.Convert("v: \"Réponds en français, s'il te plaît \\\"vite\\\"\""));

        Assert.Equal("Réponds en français, s'il te plaît \"vite\"", document.RootElement.GetProperty("v").GetString());
    }

    [Theory]
    [InlineData("name: [unclosed", "line 2")]
    [InlineData("a: 1\n  b: 2\n", "line 2")]
    [InlineData("a:\n\t- tab", "line 1")]
    [InlineData("a: 1\na: 2\n", "Duplicate key")]
    [InlineData("'1': x\n1: y\n", "Duplicate key")]
    [InlineData("a: 1\n---\nb: 2\n", "one prompt bundle per file")]
    [InlineData("", "empty")]
    [InlineData("# only a comment\n", "empty")]
    [InlineData("v: .inf", "cannot be written in JSON")]
    [InlineData("v: .nan", "cannot be written in JSON")]
    [InlineData("v: !!int abc", "not a valid !!int")]
    [InlineData("v: !custom x", "Unsupported YAML tag")]
    [InlineData("? [a, b]\n: c\n", "Keys must be plain strings")]
    [InlineData("a: &x\n  b: *x\n", "line")]
    public void Invalid_YAML_fails_with_a_message_that_says_where_and_why(string yaml, string expectedFragment)
    {
        var error = Assert.Throws<YamlConversionException>(() => YamlToJsonConverter.Convert(yaml));

        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_that_expand_without_end_fail_with_a_message_not_the_memory()
    {
        // Nine levels of nine aliases: 387 million strings if expanded.
        var yaml = new System.Text.StringBuilder("l0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (var level = 1; level <= 9; level++)
        {
            var previous = "*l" + (level - 1);
            yaml.Append($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat(previous, 9))}]\n");
        }

        var error = Assert.Throws<YamlConversionException>(() => YamlToJsonConverter.Convert(yaml.ToString()));

        Assert.Contains("more than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flow")]
    [InlineData("block")]
    public void Yaml_nested_past_the_depth_fails_with_a_message_before_the_document_is_built(string style)
    {
        // Building the document recursed once per level with no limit: 200,000 '[' ended the process.
        var yaml = style == "flow" ? new string('[', 200_000) + new string(']', 200_000) : string.Concat(Enumerable.Range(0, 65).Select(i => new string(' ', i * 2) + "k:\n")) + new string(' ', 130) + "v";

        var error = Assert.Throws<YamlConversionException>(() => YamlToJsonConverter.Convert(yaml));

        Assert.Contains("Nested more than 64 levels deep", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0);
    }

    [Theory]
    [InlineData("x: 0x")]
    [InlineData("x: 0o")]
    [InlineData("x: +0")]
    public void A_number_of_a_million_digits_fails_with_a_message_not_hours_of_work(string prefix)
    {
        var error = Assert.Throws<YamlConversionException>(() => YamlToJsonConverter.Convert(prefix + new string('7', 1_000_000)));

        Assert.Contains("more than 400 digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_keys_of_merge_keys_fail_with_a_message_not_endless_work()
    {
        // Thirteen levels of ten merges each: 10^12 merged mappings, a few bytes of JSON.
        var yaml = new System.Text.StringBuilder("a0: &a0 {k: v}\n");
        for (var level = 1; level <= 12; level++)
        {
            yaml.Append($"a{level}: &a{level} {{<<: [{string.Join(", ", Enumerable.Repeat("*a" + (level - 1), 10))}]}}\n");
        }

        var error = Assert.Throws<YamlConversionException>(() => YamlToJsonConverter.Convert(yaml.ToString()));

        Assert.Contains("merge keys", error.Message, StringComparison.Ordinal);
        var empty = yaml.ToString().Replace("a0: &a0 {k: v}", "a0: &a0 {}", StringComparison.Ordinal);
        Assert.Contains("merge keys", Assert.Throws<YamlConversionException>(() => YamlToJsonConverter.Convert(empty)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_of_one_file_converted_one_by_one_share_its_budget()
    {
        // Four levels of nine aliases of nine 500-character strings: ~30 MB of JSON each time the last is converted.
        // Three conversions of it for one file pass 64 MB: a dataset repeating one huge test by alias is bounded as a whole.
        var yaml = new System.Text.StringBuilder($"l0: &l0 [{string.Join(", ", Enumerable.Repeat(new string('x', 500), 9))}]\n");
        for (var level = 1; level <= 4; level++)
        {
            yaml.Append($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat("*l" + (level - 1), 9))}]\n");
        }

        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(yaml.ToString()));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)stream.Documents[0].RootNode;
        var huge = root.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("l4")];
        var budget = new YamlExpansionBudget();

        YamlToJsonConverter.ConvertNode(huge, budget);
        YamlToJsonConverter.ConvertNode(huge, budget);
        var error = Assert.Throws<YamlConversionException>(() => YamlToJsonConverter.ConvertNode(huge, budget));

        Assert.Contains("64 MB", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(YamlToJsonConverter.ConvertNode(huge));
    }
}
