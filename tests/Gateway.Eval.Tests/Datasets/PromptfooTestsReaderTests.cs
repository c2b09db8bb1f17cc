using System.Security.Cryptography;
using System.Text;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Datasets;

public sealed class PromptfooTestsReaderTests
{
    // A promptfooconfig.yaml as a promptfoo user would have it: prompts and providers are the gateway's business.
    private const string Suite = """
        # Support bot regression suite
        description: Support replies
        prompts:
          - file://prompts/support.txt
        providers:
          - openai:gpt-4o-mini
        defaultTest:
          vars:
            company: Acme
            tone: friendly
          assert:
            - type: latency
              threshold: 5000
            - type: not-contains
              value: As an AI
          options:
            provider: openai:gpt-4o
        tests:
          - description: refund policy
            vars:
              question: Can I get a refund after 30 days?
              tone: formal
            assert:
              - type: icontains
                value: refund
                metric: accuracy
              - type: assert-set
                threshold: 0.5
                weight: 2
                metric: tone
                assert:
                  - type: icontains-any
                    value: [sorry, apologies]
                  - type: not-contains
                    value: "!!"
                    weight: 3
          - vars:
              question: "Where is order {{order}}?"
              order: A-42
            threshold: 0.75
            assert:
              - type: contains
                value: "{{order}}"
                weight: 2
              - type: regex
                value: "ships (Monday|Tuesday)"
            metadata:
              category: shipping
          - description: pricing is off-limits
            vars:
              question: What will the Pro plan cost next year?
            assert:
              - type: is-refusal
                metric: safety
        """;

    private static EvalDataset Parse(string yaml, string name = "promptfooconfig.yaml") =>
        PromptfooTestsReader.Parse(Encoding.UTF8.GetBytes(yaml), name);

    private static int LineOf(string text, string fragment) =>
        text[..text.IndexOf(fragment, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    [Fact]
    public void A_suite_becomes_one_case_per_test_with_the_default_test_merged_in()
    {
        var cases = Parse(Suite).Cases;

        Assert.Equal(["refund policy", "test-2", "pricing is off-limits"], cases.Select(c => c.Id));
        Assert.Equal([LineOf(Suite, "- description: refund policy"), LineOf(Suite, "- vars:\n      question: \"Where"), LineOf(Suite, "- description: pricing")], cases.Select(c => c.Line));

        var refund = cases[0];
        Assert.Equal("formal", refund.Vars!["tone"].GetString());
        Assert.Equal("Acme", refund.Vars["company"].GetString());
        Assert.Equal("refund policy", refund.Metadata["description"].GetString());

        // defaultTest's assertions come first, then the test's own.
        Assert.Equal(["latency", "not-contains", "icontains", "assert-set"], refund.Assertions.Select(a => a.Type));
        Assert.Equal("accuracy", refund.Assertions[2].Metric);
        var set = refund.Assertions[3];
        Assert.Equal((2, "tone", 0.5), (set.Weight, set.Metric, set.Threshold));
        Assert.Equal(["icontains-any", "not-contains"], set.Children!.Select(c => c.Type));
        Assert.Equal(3, set.Children![1].Weight);
    }

    [Fact]
    public void A_test_threshold_groups_all_its_assertions_defaults_included_into_one_assert_set()
    {
        var order = Parse(Suite).Cases[1];

        var set = Assert.Single(order.Assertions);
        Assert.True(set.IsSet);
        Assert.Equal(0.75, set.Threshold);
        Assert.Null(set.Metric);
        Assert.Equal(["latency", "not-contains", "contains", "regex"], set.Children!.Select(c => c.Type));
        Assert.Equal(2, set.Children![2].Weight);
        Assert.Equal("shipping", order.Metadata["category"].GetString());
        Assert.Equal("A-42", order.Vars!["order"].GetString());
    }

    [Theory]
    [InlineData("I'm sorry, no refunds after 30 days.", true)]
    [InlineData("No refunds after 30 days!!", false)]
    public async Task A_weighted_assert_set_from_a_file_scores_as_promptfoo_would(string output, bool pass)
    {
        // Members: icontains-any [sorry, apologies] (weight 1), not-contains "!!" (weight 3); threshold 0.5.
        var set = Parse(Suite).Cases[0].Assertions[3];
        var result = await ScorerRegistry.CreateDefault().ScoreAsync(set, new ScoringInput { Output = output }, TestContext.Current.CancellationToken);

        Assert.Equal(pass, result.Pass);
        Assert.Equal(pass ? 1 : 0, result.Score, 9);
    }

    [Fact]
    public void A_plain_list_of_tests_is_a_test_file_too()
    {
        var dataset = Parse("""
            - vars: {city: Paris}
              assert:
                - type: icontains
                  value: france
            - description: capital of Peru
              vars: {city: Lima}
            """, "tests.yml");

        Assert.Equal(["test-1", "capital of Peru"], dataset.Cases.Select(c => c.Id));
        Assert.Empty(dataset.Cases[1].Assertions);
        Assert.Equal(5, dataset.Cases[1].Line);
        Assert.Equal("tests.yml", dataset.Id.FileName);
    }

    [Fact]
    public void Shared_descriptions_fall_back_to_numbered_ids_and_stay_in_the_metadata()
    {
        var dataset = Parse("""
            - description: greeting
              vars: {name: Ada}
            - description: greeting
              vars: {name: Bob}
            - description: farewell
              vars: {name: Cy}
            """);

        Assert.Equal(["test-1", "test-2", "farewell"], dataset.Cases.Select(c => c.Id));
        Assert.Equal("greeting", dataset.Cases[1].Metadata["description"].GetString());
    }

    [Fact]
    public void A_set_takes_the_metric_its_members_share()
    {
        var set = Parse("""
            - vars: {q: x}
              assert:
                - type: assert-set
                  assert:
                    - {type: contains, value: a, metric: accuracy}
                    - {type: contains, value: b, metric: accuracy}
                    - {type: is-json}
            """).Cases[0].Assertions[0];

        Assert.Equal("accuracy", set.Metric);
        Assert.All(set.Children!, c => Assert.Null(c.Metric));
    }

    [Fact]
    public void Disabling_var_expansion_sends_a_list_var_as_a_list()
    {
        var c = Parse("""
            - vars: {items: [apple, pear]}
              options: {disableVarExpansion: true, runSerially: true}
            """).Cases[0];

        Assert.Equal(["apple", "pear"], c.Vars!["items"].EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("- vars: {q: x}\n  assert:\n    - type: javascript\n      value: output.length < 10\n", 3, "'javascript' runs code")]
    [InlineData("- vars: {q: x}\n  assert:\n    - type: assert-set\n      assert:\n        - type: contains\n          value: a\n        - type: python\n          value: file://check.py\n", 7, "'python' runs code")]
    [InlineData("- vars: {q: x}\n  assert:\n    - type: factuality\n      value: Paris\n", 3, "does not implement")]
    [InlineData("- vars: {q: x}\n  assert:\n    - type: contains\n      value: a\n      transform: output.trim()\n", 5, "'transform' is not supported: it rewrites the output")]
    [InlineData("- vars: {q: x}\n  options:\n    prefix: 'Answer briefly: '\n", 3, "'prefix' is not supported: it changes the prompt text")]
    [InlineData("- vars: {q: x}\n  assert:\n    - type: contains\n      value: file://expected.txt\n", 4, "loads a file")]
    [InlineData("- vars: {language: [French, German]}\n", 1, "var 'language' is a list")]
    [InlineData("- vars: {doc: file://docs/manual.pdf}\n", 1, "var 'doc' loads a file")]
    [InlineData("tests: file://tests.csv\n", 1, "refers to another file")]
    [InlineData("scenarios: []\ntests: []\n", 1, "'scenarios' is not supported")]
    [InlineData("- vars: {q: x}\n  providerOutput: hi\n", 2, "'providerOutput' is not supported")]
    [InlineData("- vars: {q: x}\n  assert:\n    - type: contains\n      weight: -1\n", 3, "'weight' must be a finite number >= 0")]
    [InlineData("- vars: {q: x}\n  assert:\n    - type: assert-set\n      assert:\n        - {type: contains, value: a, metric: accuracy}\n        - {type: contains, value: b, metric: tone}\n", 3, "different metrics (accuracy, tone)")]
    [InlineData("- vars: {q: x}\n  threshold: 0.5\n  assert:\n    - {type: contains, value: a, metric: accuracy}\n    - {type: contains, value: b, metric: tone}\n", 1, "the test's threshold 0.5 makes its assertions one assert-set")]
    [InlineData("- description: test-2\n  vars: {q: x}\n- vars: {q: y}\n", 3, "its id 'test-2' is also the id of the test on line 1")]
    [InlineData("- vars: {q: x}\n  assert: [\n", 3, "not valid YAML")]
    [InlineData("[]\n", 0, "the file has no tests")]
    [InlineData("just text\n", 1, "expected a list of tests")]
    public void What_cannot_be_mapped_is_an_error_with_its_line(string yaml, int line, string expected)
    {
        var ex = Assert.Throws<DatasetFormatException>(() => Parse(yaml, "tests.yaml"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(line, ex.Line);
        Assert.StartsWith(line > 0 ? $"tests.yaml:{line}: " : "tests.yaml: ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tests.yaml")]
    [InlineData("tests.YML")]
    public async Task Load_dispatches_yaml_files_to_this_reader_and_hashes_their_bytes(string name)
    {
        var directory = Directory.CreateTempSubdirectory("promptfoo-yaml-");
        try
        {
            var path = Path.Combine(directory.FullName, name);
            await File.WriteAllTextAsync(path, Suite, TestContext.Current.CancellationToken);

            var dataset = await DatasetReader.LoadAsync(path, TestContext.Current.CancellationToken);

            Assert.Equal(3, dataset.Cases.Count);
            Assert.Equal(path, dataset.Path);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken))), dataset.Id.Sha256);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
