using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Datasets;

public sealed class DatasetReaderTests
{
    private static EvalDataset Parse(string text, string name = "golden.jsonl") => DatasetReader.Parse(Encoding.UTF8.GetBytes(text), name);

    [Fact]
    public void A_native_line_carries_vars_messages_assertions_tags_metadata_and_expected()
    {
        var dataset = Parse("""
            {"id":"refund-1","vars":{"customer":"Ada","order":42},"messages":[{"role":"user","content":"Where is my refund?"}],"assert":[{"type":"icontains","value":"refund","metric":"accuracy"},{"type":"is-json","weight":2}],"tags":["refunds"],"metadata":{"source":"ticket"},"expected":"Your refund is on its way."}
            """);

        var c = Assert.Single(dataset.Cases);
        Assert.Equal("refund-1", c.Id);
        Assert.Equal("Ada", c.Vars!["customer"].GetString());
        Assert.Equal(42, c.Vars["order"].GetInt32());
        Assert.Equal("user", c.Messages!.Value[0].GetProperty("role").GetString());
        Assert.Equal(["icontains", "is-json"], c.Assertions.Select(a => a.Type));
        Assert.Equal("accuracy", c.Assertions[0].Metric);
        Assert.Equal(2, c.Assertions[1].Weight);
        Assert.Equal(["refunds"], c.Tags);
        Assert.Equal("ticket", c.Metadata["source"].GetString());
        Assert.Equal("Your refund is on its way.", c.Expected);
        Assert.Equal(1, c.Line);
    }

    [Fact]
    public void A_sample_export_line_maps_input_and_output()
    {
        var dataset = Parse("""
            {"id":"smp_1","input":{"messages":[{"role":"user","content":"hi"}],"variables":{"name":"Ada"}},"output":{"text":"Hello Ada","tool_calls":[{"id":"c1","type":"function","name":"lookup","arguments":"{\"q\":1}"}],"finish_reason":"stop"},"metadata":{"sample_id":"smp_1","version":3,"model":"gpt-4o"}}
            {"id":"smp_2","input":{"messages":null,"variables":{"name":"Bob"}},"output":{"text":null,"tool_calls":[],"finish_reason":null},"metadata":{},"assert":[{"type":"contains","value":"Bob"}]}
            """);

        var first = dataset.Cases[0];
        Assert.Equal("Ada", first.Vars!["name"].GetString());
        Assert.Equal("hi", first.Messages!.Value[0].GetProperty("content").GetString());
        Assert.Equal("Hello Ada", first.Expected);
        Assert.Equal(new ToolCall("lookup", "{\"q\":1}"), Assert.Single(first.ExpectedToolCalls));
        Assert.Equal(3, first.Metadata["version"].GetInt32());

        var second = dataset.Cases[1];
        Assert.Null(second.Messages);
        Assert.Null(second.Expected);
        Assert.Equal(2, second.Line);
        Assert.Equal("contains", Assert.Single(second.Assertions).Type);
    }

    [Fact]
    public async Task The_exported_output_is_the_reference_for_scorers_without_a_value()
    {
        var c = Parse("""{"id":"a","input":{"variables":{"x":1}},"output":{"text":"The parcel ships on Monday."}}""").Cases[0];
        var input = new ScoringInput { Output = "The parcel ships on Monday!", Expected = c.Expected, Vars = c.Vars };

        var result = await ScorerRegistry.CreateDefault().ScoreAsync(AssertionSpec.Parse("""{"type":"levenshtein","threshold":2}"""), input, TestContext.Current.CancellationToken);

        Assert.True(result.Pass, result.ToString());
    }

    [Theory]
    [InlineData("{\"id\":\"a\",\"vars\":{}}\n{\"id\":\"b\",\"vars\":{}\n", 2, "not valid JSON")]
    [InlineData("{\"id\":\"a\",\"vars\":{}}\n\n{\"id\":\"b\",\"varz\":{}}", 3, "unknown field 'varz'")]
    [InlineData("{\"id\":\"a\",\"vars\":[1]}", 1, "'vars' must be an object")]
    [InlineData("{\"vars\":{}}", 1, "missing 'id'")]
    [InlineData("{\"id\":\"\",\"vars\":{}}", 1, "'id' must not be empty")]
    [InlineData("{\"id\":\"a\"}", 1, "needs 'vars' or 'messages'")]
    [InlineData("{\"id\":\"a\",\"vars\":{}}\n{\"id\":\"a\",\"vars\":{}}", 2, "duplicate id 'a' (first on line 1)")]
    [InlineData("{\"id\":\"a\",\"vars\":{},\"assert\":[{\"type\":\"contains\",\"value\":\"refund\"}],\"assert\":[]}", 1, "'assert'")]
    [InlineData("{\"id\":\"a\",\"vars\":{\"order\":\"A-1\",\"order\":\"A-2\"}}", 1, "'order'")]
    [InlineData("{\"id\":\"a\",\"vars\":{},\"assert\":[{\"type\":\"contains\",\"weight\":-1}]}", 1, "'assert[0]'")]
    [InlineData("{\"id\":\"a\",\"vars\":{},\"assert\":[{\"type\":\"contains\",\"transform\":\"x\"}]}", 1, "'assert[0]'")]
    [InlineData("{\"id\":\"a\",\"messages\":[{\"content\":\"hi\"}]}", 1, "'messages[0].role'")]
    [InlineData("{\"id\":\"a\",\"vars\":{},\"tags\":[\"x\",1]}", 1, "'tags[1]' must be a string")]
    [InlineData("[1,2]", 1, "expected a JSON object")]
    [InlineData("{\"id\":\"a\",\"input\":{\"variables\":{},\"extra\":1}}", 1, "unknown field 'input.extra'")]
    [InlineData("{\"id\":\"a\",\"input\":{\"variables\":{}},\"vars\":{}}", 1, "unknown field 'vars' in a sample-export line")]
    [InlineData("{\"id\":\"a\",\"input\":{\"variables\":{}},\"output\":{\"text\":5}}", 1, "'output.text' must be a string")]
    public void A_bad_line_fails_the_whole_file_with_its_line_number(string text, int line, string problem)
    {
        var ex = Assert.Throws<DatasetFormatException>(() => Parse(text));

        Assert.Equal(line, ex.Line);
        Assert.StartsWith($"golden.jsonl:{line}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_cases_is_an_error()
    {
        var ex = Assert.Throws<DatasetFormatException>(() => Parse("\n  \r\n"));
        Assert.Contains("no cases", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_line_endings_a_bom_and_numeric_ids_are_accepted()
    {
        var dataset = Parse("\uFEFF{\"id\":1,\"vars\":{\"a\":\"b\"}}\r\n{\"id\":2,\"vars\":{}}\r\n");

        Assert.Equal(["1", "2"], dataset.Cases.Select(c => c.Id));
    }

    [Fact]
    public void The_id_is_the_file_name_and_the_hash_of_its_bytes()
    {
        var text = "{\"id\":\"a\",\"vars\":{}}\n";
        var bytes = Encoding.UTF8.GetBytes(text);

        var id = DatasetReader.Parse(bytes, "golden.jsonl").Id;
        var edited = DatasetReader.Parse(Encoding.UTF8.GetBytes(text + "{\"id\":\"b\",\"vars\":{}}\n"), "golden.jsonl").Id;

        Assert.Equal("golden.jsonl", id.FileName);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), id.Sha256);
        Assert.Equal($"golden.jsonl@sha256:{id.Sha256}", id.ToString());
        Assert.NotEqual(id, edited);
    }

    [Fact]
    public async Task Load_reads_a_file_and_names_it_by_its_file_name()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ds-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(path, "{\"id\":\"a\",\"vars\":{\"q\":\"x\"}}\n{\"id\":\"b\",\"oops\"}\n", TestContext.Current.CancellationToken);
        try
        {
            var ex = await Assert.ThrowsAsync<DatasetFormatException>(() => DatasetReader.LoadAsync(path, TestContext.Current.CancellationToken));
            Assert.StartsWith($"{Path.GetFileName(path)}:2: ", ex.Message, StringComparison.Ordinal);

            await File.WriteAllTextAsync(path, "{\"id\":\"a\",\"vars\":{\"q\":\"x\"}}\n", TestContext.Current.CancellationToken);
            var dataset = await DatasetReader.LoadAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(Path.GetFullPath(path), dataset.Path);
            Assert.Equal(JsonValueKind.String, dataset.Cases[0].Vars!["q"].ValueKind);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
