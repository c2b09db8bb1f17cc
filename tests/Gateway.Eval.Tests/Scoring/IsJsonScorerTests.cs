using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class IsJsonScorerTests
{
    private const string PersonSchema =
        """{"type":"is-json","value":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}}}}""";

    [Theory]
    [InlineData("""{"type":"is-json"}""", """{"a":1}""", Outcome.Pass)]
    [InlineData("""{"type":"is-json"}""", "  [1, 2]\n", Outcome.Pass)]
    [InlineData("""{"type":"is-json"}""", "42", Outcome.Pass)]
    [InlineData("""{"type":"is-json"}""", "not json", Outcome.Fail)]
    [InlineData("""{"type":"is-json"}""", """{"a":1,}""", Outcome.Fail)]
    [InlineData("""{"type":"is-json"}""", "```json\n{\"a\":1}\n```", Outcome.Fail)]
    [InlineData("""{"type":"is-json"}""", """Here: {"a":1}""", Outcome.Fail)]
    [InlineData("""{"type":"is-json"}""", "", Outcome.Fail)]
    [InlineData("""{"type":"not-is-json"}""", "plain prose", Outcome.Pass)]
    [InlineData(PersonSchema, """{"name":"Ada","age":36}""", Outcome.Pass)]
    [InlineData(PersonSchema, """{"name":"Ada","age":-1}""", Outcome.Fail)]
    [InlineData(PersonSchema, """{"name":7}""", Outcome.Fail)]
    [InlineData(PersonSchema, "{}", Outcome.Fail)]
    [InlineData(PersonSchema, "Ada, 36", Outcome.Fail)]
    [InlineData("""{"type":"is-json","value":"{\"type\":\"array\"}"}""", "[1]", Outcome.Pass)]
    [InlineData("""{"type":"is-json","value":true}""", "[1]", Outcome.Pass)]
    [InlineData("""{"type":"is-json","value":false}""", "[1]", Outcome.Fail)]
    public async Task Is_json_parses_the_whole_output_and_validates_an_optional_schema(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Theory]
    [InlineData("""{"type":"is-json","value":{"type":5}}""")]
    [InlineData("""{"type":"is-json","value":{"type":"nope"}}""")]
    [InlineData("""{"type":"is-json","value":{"minimum":"x"}}""")]
    [InlineData("""{"type":"is-json","value":[1]}""")]
    [InlineData("""{"type":"is-json","value":12}""")]
    [InlineData("""{"type":"is-json","value":"not a schema"}""")]
    [InlineData("""{"type":"not-is-json","value":{"type":5}}""")]
    public async Task An_invalid_schema_is_an_error_even_when_the_output_is_not_json(string json)
    {
        var result = await AssertOutcomeAsync(json, "not json", Outcome.Error);

        Assert.Contains("invalid JSON schema", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_reference_that_cannot_be_resolved_is_an_error() =>
        await AssertOutcomeAsync("""{"type":"is-json","value":{"$ref":"#/definitions/missing"}}""", "{}", Outcome.Error);

    [Fact]
    public async Task The_reason_lists_the_first_schema_errors_with_their_locations()
    {
        var result = await ScoreAsync(PersonSchema, """{"age":-1}""");

        Assert.Contains("(root)", result.Reason, StringComparison.Ordinal);
        Assert.Contains("required", result.Reason, StringComparison.Ordinal);
        Assert.Contains("/age", result.Reason, StringComparison.Ordinal);
        Assert.Contains("minimum", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_with_an_id_can_be_used_by_every_case_of_a_dataset()
    {
        const string withId = """{"type":"is-json","value":{"$id":"https://example.test/order","type":"object","required":["id"]}}""";

        for (var i = 0; i < 3; i++)
        {
            await AssertOutcomeAsync(withId, """{"id":1}""", Outcome.Pass);
        }
    }
}
