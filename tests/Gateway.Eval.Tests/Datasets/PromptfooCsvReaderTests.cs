using System.Text;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Datasets;

public sealed class PromptfooCsvReaderTests
{
    // Row 2 has a quoted question with a comma and a line break, so row 3 starts on line 5.
    private const string Csv = """
        question,__expected1,__expected2,__expected3,__description,__metric,__threshold,__metadata:category,__metadata:tags[]
        "Where is my order A-42?",contains: A-42,not-icontains: sorry,regex: ships (Monday|Tuesday),order status,accuracy,,shipping,"orders,tracking"
        "Can I return opened items,
        like a used blender?",icontains: return,"similar(0.85): You can return opened items within 30 days.",,returns,,0.5,returns,"returns,policy\, edge cases"
        What is 2+2?,4,is-json,"contains-any: four, 4",,,,,

        """;

    private static EvalDataset Parse(string csv, string name = "tests.csv") =>
        PromptfooCsvReader.Parse(Encoding.UTF8.GetBytes(csv), name);

    [Fact]
    public void Each_row_is_a_test_with_its_vars_assertions_and_metadata()
    {
        var cases = Parse(Csv).Cases;

        Assert.Equal(["order status", "returns", "test-3"], cases.Select(c => c.Id));
        Assert.Equal([2, 3, 5], cases.Select(c => c.Line));

        var order = cases[0];
        Assert.Equal("Where is my order A-42?", order.Vars!["question"].GetString());
        Assert.Single(order.Vars);
        Assert.Equal(["contains", "not-icontains", "regex"], order.Assertions.Select(a => a.Type));
        Assert.Equal(["A-42", "sorry", "ships (Monday|Tuesday)"], order.Assertions.Select(a => a.Value!.Value.GetString()));
        Assert.All(order.Assertions, a => Assert.Equal("accuracy", a.Metric));
        Assert.Equal("shipping", order.Metadata["category"].GetString());
        Assert.Equal(["orders", "tracking"], order.Metadata["tags"].EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void A_quoted_field_keeps_its_comma_and_line_break()
    {
        var returns = Parse(Csv).Cases[1];

        Assert.Equal("Can I return opened items,\nlike a used blender?", returns.Vars!["question"].GetString());
        Assert.Equal(["returns", "policy, edge cases"], returns.Metadata["tags"].EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void A_row_threshold_groups_the_row_into_one_assert_set_and_a_shorthand_threshold_stays_on_its_assertion()
    {
        var set = Assert.Single(Parse(Csv).Cases[1].Assertions);

        Assert.True(set.IsSet);
        Assert.Equal(0.5, set.Threshold);
        Assert.Equal(["icontains", "similar"], set.Children!.Select(c => c.Type));
        Assert.Equal(0.85, set.Children![1].Threshold);
        Assert.Equal("You can return opened items within 30 days.", set.Children[1].Value!.Value.GetString());
    }

    [Fact]
    public void A_bare_value_is_equals_a_bare_type_has_no_value_and_any_all_lists_split_on_commas()
    {
        var math = Parse(Csv).Cases[2];

        Assert.Equal(["equals", "is-json", "contains-any"], math.Assertions.Select(a => a.Type));
        Assert.Equal("4", math.Assertions[0].Value!.Value.GetString());
        Assert.Null(math.Assertions[1].Value);
        Assert.Equal(["four", "4"], math.Assertions[2].Value!.Value.EnumerateArray().Select(e => e.GetString()));
        Assert.False(math.Metadata.ContainsKey("description"));
    }

    [Theory]
    [InlineData("Answer: 42", "equals", "Answer: 42")]
    [InlineData("Paris", "equals", "Paris")]
    [InlineData("grade: Is polite and mentions the refund", "llm-rubric", "Is polite and mentions the refund")]
    [InlineData("llm-rubric:Explains the fee", "llm-rubric", "Explains the fee")]
    [InlineData("starts-with: Dear", "starts-with", "Dear")]
    [InlineData("not-is-refusal", "not-is-refusal", null)]
    [InlineData("is-abstention", "is-abstention", null)]
    [InlineData("levenshtein(3): Hello world", "levenshtein", "Hello world")]
    public void The_shorthand_reads_as_promptfoo_documents_it(string cell, string type, string? value)
    {
        var assertion = Assert.Single(Parse($"q,__expected\nx,\"{cell}\"\n").Cases[0].Assertions);

        Assert.Equal(type, assertion.Type);
        Assert.Equal(value, assertion.Value?.GetString());
    }

    [Fact]
    public async Task A_scored_row_behaves_like_the_promptfoo_test()
    {
        var order = Parse(Csv).Cases[0];
        var registry = ScorerRegistry.CreateDefault();
        var input = new ScoringInput { Output = "Good news: order A-42 ships Monday.", Vars = order.Vars };

        foreach (var assertion in order.Assertions)
        {
            var result = await registry.ScoreAsync(assertion, input, TestContext.Current.CancellationToken);
            Assert.True(result.Pass, $"{assertion.Type}: {result}");
        }
    }

    [Fact]
    public void Unquoted_json_with_quotes_reads_as_written_like_promptfoos_relaxed_mode()
    {
        var c = Parse("context,__expected\n{\"answer\":\"\"},is-json\n").Cases[0];

        Assert.Equal("{\"answer\":\"\"}", c.Vars!["context"].GetString());
    }

    [Fact]
    public void Crlf_line_ends_and_a_bom_are_fine_and_blank_lines_are_skipped()
    {
        var dataset = Parse("\uFEFFq,__expected\r\n\r\nhello,contains: hel\r\nbye,contains: by\r\n");

        Assert.Equal([3, 4], dataset.Cases.Select(c => c.Line));
        Assert.Equal("hello", dataset.Cases[0].Vars!["q"].GetString());
    }

    [Fact]
    public void Header_names_are_trimmed_so_a_space_after_the_comma_still_makes_an_assertion_column()
    {
        var c = Assert.Single(Parse("q, __expected ,  __metadata:category\nx,contains: x,shipping\n").Cases);

        Assert.Equal(["q"], c.Vars!.Keys);
        Assert.Equal("contains", Assert.Single(c.Assertions).Type);
        Assert.Equal("shipping", c.Metadata["category"].GetString());
    }

    [Theory]
    [InlineData("q,\nx,y\n", "column 2 has no name")]
    [InlineData("q,  \nx,y\n", "column 2 ('  ') has no name once its spaces are trimmed")]
    [InlineData("q, q\nx,y\n", "the column 'q' appears twice once names are trimmed: column 1 is 'q' and column 2 is ' q'")]
    [InlineData("__expected ,__expected\ncontains: a,contains: b\n", "column 1 is '__expected ' and column 2 is '__expected'")]
    public void A_header_name_that_is_empty_or_repeated_once_trimmed_is_an_error_naming_the_column(string csv, string expected)
    {
        var ex = Assert.Throws<DatasetFormatException>(() => Parse(csv));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Line);
    }

    [Theory]
    [InlineData("q,__expected\nx,\"javascript: output.length < 10\"\n", 2, "'javascript' runs code")]
    [InlineData("q,__expected\nx,fn: output.includes('a')\n", 2, "'javascript' runs code")]
    [InlineData("q,__expected\nx,file://checks/tone.py\n", 2, "'python' runs code")]
    [InlineData("q,__expected2\nx,factuality: Paris is the capital\n", 2, "__expected2: assertion type 'factuality' is a promptfoo type that gatewayctl does not implement")]
    [InlineData("q,__prefix\nx,Answer briefly: \n", 2, "__prefix changes the prompt text")]
    [InlineData("q,__providerOutput\nx,Paris\n", 2, "__providerOutput replaces the model's answer")]
    [InlineData("q,__threshold\nx,high\n", 2, "__threshold: 'high' is not a number")]
    [InlineData("q,_expected\nx,Paris\n", 1, "has one leading underscore")]
    [InlineData("q,__expect\nx,Paris\n", 1, "'__expect' is not a promptfoo column")]
    [InlineData("q,__config:__expected:threshold\nx,0.8\n", 1, "'__config:__expected:threshold' is not supported")]
    [InlineData("q,__metadata\nx,a\n", 1, "needs a key")]
    [InlineData("q,q\nx,y\n", 1, "'q' appears twice")]
    [InlineData("q,__expected\nx,contains: a,extra\n", 2, "the row has 3 fields but the header has 2")]
    [InlineData("q,__expected\n\"unterminated,contains: a\nmore\n", 2, "a quoted field is never closed")]
    [InlineData("q,__expected\n\"quoted\"x,contains: a\n", 2, "text after a closing quote")]
    [InlineData("q,__description\nx,\ny,test-1\n", 3, "its id 'test-1' is also the id of the test on line 2")]
    [InlineData("q,__expected\n", 0, "the file has no tests")]
    [InlineData("", 0, "the file is empty")]
    public void What_cannot_be_mapped_is_an_error_with_its_line(string csv, int line, string expected)
    {
        var ex = Assert.Throws<DatasetFormatException>(() => Parse(csv));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(line, ex.Line);
    }

    [Fact]
    public async Task Load_dispatches_csv_files_to_this_reader_and_leaves_jsonl_native()
    {
        var directory = Directory.CreateTempSubdirectory("promptfoo-csv-");
        try
        {
            var csv = Path.Combine(directory.FullName, "golden.csv");
            var jsonl = Path.Combine(directory.FullName, "golden.jsonl");
            await File.WriteAllTextAsync(csv, Csv, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(jsonl, """{"id":"a","vars":{"q":"x"}}""", TestContext.Current.CancellationToken);

            var fromCsv = await DatasetReader.LoadAsync(csv, TestContext.Current.CancellationToken);
            var fromJsonl = await DatasetReader.LoadAsync(jsonl, TestContext.Current.CancellationToken);

            Assert.Equal(3, fromCsv.Cases.Count);
            Assert.Equal("golden.csv", fromCsv.Id.FileName);
            Assert.Equal("a", Assert.Single(fromJsonl.Cases).Id);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
