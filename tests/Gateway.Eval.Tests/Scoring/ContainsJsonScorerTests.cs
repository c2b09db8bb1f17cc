using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class ContainsJsonScorerTests
{
    private const string NeedsId = """{"type":"contains-json","value":{"type":"object","required":["id"]}}""";

    [Theory]
    [InlineData("""{"type":"contains-json"}""", "Here you go:\n```json\n{\"a\": 1}\n```\nAnything else?", Outcome.Pass)]
    [InlineData("""{"type":"contains-json"}""", """The result is {"a": {"b": [1, 2]}} as requested.""", Outcome.Pass)]
    [InlineData("""{"type":"contains-json"}""", "Values: [1, 2, 3].", Outcome.Pass)]
    [InlineData("""{"type":"contains-json"}""", """{"a":1}""", Outcome.Pass)]
    [InlineData("""{"type":"contains-json"}""", "no json here, only {braces} and [brackets]", Outcome.Fail)]
    [InlineData("""{"type":"contains-json"}""", """truncated {"a": [1, 2""", Outcome.Fail)]
    [InlineData("""{"type":"contains-json"}""", "just 42", Outcome.Fail)]
    [InlineData("""{"type":"not-contains-json"}""", "plain prose", Outcome.Pass)]
    [InlineData(NeedsId, "```json\n{\"id\": 7}\n```", Outcome.Pass)]
    [InlineData(NeedsId, "```json\n{\"name\": \"x\"}\n```", Outcome.Fail)]
    [InlineData(NeedsId, """first {"name":"x"} then {"id":2}""", Outcome.Pass)]
    [InlineData(NeedsId, """only an array [{"id":2}]""", Outcome.Fail)]
    [InlineData("""{"type":"contains-json","value":{"type":"bogus"}}""", """{"id":2}""", Outcome.Error)]
    [InlineData("""{"type":"contains-json","value":{"$ref":"#/nowhere"}}""", """{"id":2}""", Outcome.Error)]
    public async Task Contains_json_finds_embedded_documents(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Fact]
    public async Task A_schema_failure_reports_the_first_documents_errors()
    {
        var result = await ScoreAsync(NeedsId, """{"name":"x"}""");

        Assert.Contains("required", result.Reason, StringComparison.Ordinal);
    }
}
