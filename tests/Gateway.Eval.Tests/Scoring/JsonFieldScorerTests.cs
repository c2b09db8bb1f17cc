using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class JsonFieldScorerTests
{
    private const string Order = """{"user":{"name":"Ada Lovelace","tags":["vip","eu"]},"items":[{"id":7,"sku":"A/1"}],"a~b":true}""";

    [Theory]
    [InlineData("""{"type":"json-field","value":{"path":"$.user.name","equals":"Ada Lovelace"}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.user.name","equals":"Bob"}}""", Order, Outcome.Fail)]
    [InlineData("""{"type":"json-field","value":{"path":"/user/name","equals":"Ada Lovelace"}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[0].id","equals":7}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[0].id","equals":7.0}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[0].id","equals":"7"}}""", Order, Outcome.Fail)]
    [InlineData("""{"type":"json-field","value":{"path":"/items/0/sku","equals":"A/1"}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$['a~b']","equals":true}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$['user'][\"name\"]","contains":"Ada"}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.user.name","contains":"Grace"}}""", Order, Outcome.Fail)]
    [InlineData("""{"type":"json-field","value":{"path":"$.user.tags","contains":"eu"}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.user.tags","contains":"us"}}""", Order, Outcome.Fail)]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[0].id","contains":"7"}}""", Order, Outcome.Fail)]
    [InlineData("""{"type":"json-field","value":{"path":"$.user"}}""", Order, Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.user.email"}}""", Order, Outcome.Fail)]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[3]"}}""", Order, Outcome.Fail)]
    [InlineData("""{"type":"json-field","value":{"path":"$","equals":{"x":1}}}""", """{"x":1}""", Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.x","equals":1}}""", "Sure:\n```json\n{\"x\": 1}\n```", Outcome.Pass)]
    [InlineData("""{"type":"json-field","value":{"path":"$.x","equals":1}}""", "no json", Outcome.Fail)]
    [InlineData("""{"type":"not-json-field","value":{"path":"$.user.ssn"}}""", Order, Outcome.Pass)]
    public async Task Json_field_reads_a_field_by_jsonpath_or_pointer(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Theory]
    [InlineData("""{"type":"json-field","value":"$.user.name"}""")]
    [InlineData("""{"type":"json-field","value":{"equals":1}}""")]
    [InlineData("""{"type":"json-field","value":{"path":"$..name"}}""")]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[*]"}}""")]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[?(@.id)]"}}""")]
    [InlineData("""{"type":"json-field","value":{"path":"$.items[0"}}""")]
    [InlineData("""{"type":"json-field","value":{"path":"user.name"}}""")]
    [InlineData("""{"type":"json-field","value":{"path":"$.a","equals":1,"contains":1}}""")]
    [InlineData("""{"type":"json-field","value":{"path":"$.a","equal":1}}""")]
    public async Task A_bad_value_or_unsupported_path_is_an_error(string json) =>
        await AssertOutcomeAsync(json, Order, Outcome.Error);
}
