using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>
/// A JSON Schema's references are checked before it is built: a schema that refers to itself overflowed the stack (the
/// process ended) and one whose references fan out asked exponential work of every answer.
/// </summary>
public sealed class SchemaReferencesTests
{
    public static TheoryData<string, string> Refused() => new()
    {
        { """{"allOf":[{"$ref":"#"}]}""", "refers back to itself" },
        { """{"$ref":"#/$defs/n","$defs":{"n":{"anyOf":[{"type":"string"},{"$ref":"#/$defs/n"}]}}}""", "refers back to itself" },
        // The same schema met again through a $ref resolved against an inner $id: refused, as the $id is.
        { """{"$defs":{"b":{}},"allOf":[{"$id":"https://x.example/r","$defs":{"b":{"allOf":[{"$ref":"#/$defs/b"}]}},"allOf":[{"$ref":"#/$defs/b"}]}]}""", "'$id' below the schema's root" },
        // A property named "$ref" is a name, not a keyword: its schema is checked as one.
        { """{"properties":{"$ref":{"allOf":[{"$ref":"#/properties/$ref"}]}}}""", "refers back to itself" },
        { """{"dependentSchemas":{"a":{"$ref":"#"}}}""", "refers back to itself" },
        { FanOut(40), "expands to more than 10,000 nodes" },
        { """{"$ref":"https://example.com/schema.json"}""", "not a reference inside the schema" },
        { """{"$ref":"#/$defs/missing"}""", "not a reference inside the schema" },
        { """{"$dynamicRef":"#meta"}""", "'$dynamicRef' is not supported" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_schema_whose_references_would_not_end_or_fan_out_is_refused_before_it_is_built(string schema, string problem)
    {
        using var json = JsonDocument.Parse(schema);

        Assert.False(JsonSchemaCheck.TryBuild(json.RootElement, out _, out var error));
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"$ref":"#/$defs/name","$defs":{"name":{"type":"string","minLength":1}}}""", "\"Ada\"", true)]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"#/$defs/n"},"b":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"integer"}}}""", """{"a":1,"b":"x"}""", false)]
    [InlineData("""{"$ref":"#item","$defs":{"i":{"$anchor":"item","type":"array"}}}""", "[1]", true)]
    [InlineData("""{"$ref":"#/$defs/a~1b","$defs":{"a/b":{"const":3}}}""", "3", true)]
    // Recursion that moves into the answer ends with it: a tree (with the $id at its root that published schemas carry).
    [InlineData("""{"$id":"https://example.com/tree","type":"object","properties":{"children":{"items":{"$ref":"#"}}}}""", """{"children":[{"children":[]}]}""", true)]
    [InlineData("""{"$anchor":"node","type":"object","properties":{"next":{"$ref":"#node"}}}""", """{"next":{"next":5}}""", false)]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}},"required":["name"]}""", """{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}""", true)]
    [InlineData("""{"type":"object","properties":{"child":{"$ref":"#"}},"required":["v"]}""", """{"v":1,"child":{"child":{}}}""", false)]
    // Data that looks like a reference is data.
    [InlineData("""{"$defs":{"n":{"type":"number"}},"$ref":"#/$defs/n","examples":[{"$ref":"#"}]}""", "2", true)]
    [InlineData("""{"const":{"$ref":"#"}}""", """{"$ref":"#"}""", true)]
    public void Schemas_that_reuse_definitions_build_and_validate(string schema, string instance, bool expected)
    {
        using var json = JsonDocument.Parse(schema);
        using var answer = JsonDocument.Parse(instance);

        Assert.True(JsonSchemaCheck.TryBuild(json.RootElement, out var built, out var error), error);
        Assert.True(JsonSchemaCheck.TryValidate(built, answer.RootElement, out var valid, out _));
        Assert.Equal(expected, valid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pattern_that_backtracks_on_an_answer_is_cut_by_the_process_wide_match_timeout()
    {
        // JsonSchema.Net builds its pattern's Regex without a timeout: (a+)+$ on 40 a's and a '!' would run for years.
        using var json = JsonDocument.Parse("""{"type":"string","pattern":"^(a+)+$"}""");
        using var answer = JsonDocument.Parse("\"" + new string('a', 40) + "!\"");
        Assert.True(JsonSchemaCheck.TryBuild(json.RootElement, out var schema, out var error), error);

        var (evaluated, valid, detail) = await Task.Run(
            () => (JsonSchemaCheck.TryValidate(schema, answer.RootElement, out var valid, out var detail), valid, detail),
            TestContext.Current.CancellationToken).WaitAsync(TestContext.Current.CancellationToken);

        Assert.False(evaluated);
        Assert.False(valid);
        Assert.Contains("the schema's pattern took over 1 s", detail, StringComparison.Ordinal);
    }

    /// <summary>Each of <paramref name="count"/> definitions refers twice to the next: 2^count evaluations.</summary>
    internal static string FanOut(int count)
    {
        var defs = string.Join(",", Enumerable.Range(0, count).Select(i =>
            $$"""
            "a{{i}}":{"allOf":[{"$ref":"#/$defs/a{{i + 1}}"},{"$ref":"#/$defs/a{{i + 1}}"}]}
            """));
        return "{\"$ref\":\"#/$defs/a0\",\"$defs\":{" + defs + ",\"a" + count + "\":{\"type\":\"object\"}}}";
    }
}
