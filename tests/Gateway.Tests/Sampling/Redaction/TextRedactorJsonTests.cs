using System.Text.Json.Nodes;
using LlmGateway.Sampling.Redaction;

namespace LlmGateway.Tests.Sampling.Redaction;

public sealed class TextRedactorJsonTests
{
    private static readonly TextRedactor Redactor = new(new MarkerRedactorProvider());

    [Fact]
    public void Every_string_value_in_the_tree_is_redacted_in_place_and_property_names_are_kept()
    {
        var sample = JsonNode.Parse("""
            {
              "model": "gpt-4o",
              "ops@example.com": "key as name stays",
              "messages": [
                { "role": "user", "content": "I am ops@example.com, call (555) 123-4567" },
                { "role": "assistant", "content": [ { "type": "text", "text": "Noted: 10.0.0.1" } ] }
              ],
              "metadata": { "nested": { "deeper": ["sk-proj-abc123DEF456ghi789JKL012mno345", 42, true, null] } },
              "max_tokens": 4111111111111111
            }
            """);
        var tally = new RedactionTally();

        Redactor.RedactJson(sample, tally);

        Assert.Equal(
            """{"model":"gpt-4o","ops@example.com":"key as name stays","messages":[{"role":"user","content":"I am [REDACTED:email], call [REDACTED:phone]"},{"role":"assistant","content":[{"type":"text","text":"Noted: [REDACTED:ip]"}]}],"metadata":{"nested":{"deeper":["[REDACTED:api_key]",42,true,null]}},"max_tokens":4111111111111111}""",
            sample!.ToJsonString());
        Assert.Equal(new Dictionary<string, int> { ["email"] = 1, ["phone"] = 1, ["ip"] = 1, ["api_key"] = 1 }, tally.Counts);
    }

    [Fact]
    public void In_user_data_a_long_number_is_read_for_secrets_and_short_ones_are_left()
    {
        // Prompt variables: a card number sent as a JSON number is the same secret as in a string.
        var variables = JsonNode.Parse("""{"card":4111111111111111,"quantity":3,"price":12.5,"order":{"ids":[4111111111111111]}}""");
        var tally = new RedactionTally();

        Redactor.RedactJson(variables, tally, numbers: true);

        Assert.Equal("""{"card":"[REDACTED:card]","quantity":3,"price":12.5,"order":{"ids":["[REDACTED:card]"]}}""", variables!.ToJsonString());
    }

    [Fact]
    public void Values_built_in_code_rather_than_parsed_are_redacted_too()
    {
        var sample = new JsonObject
        {
            ["input"] = "mail ops@example.com",
            ["items"] = new JsonArray("10.0.0.1", "fine"),
        };

        Redactor.RedactJson(sample, new RedactionTally());

        Assert.Equal("""{"input":"mail [REDACTED:email]","items":["[REDACTED:ip]","fine"]}""", sample.ToJsonString());
    }

    [Fact]
    public void A_string_node_inside_a_tree_can_be_redacted_on_its_own()
    {
        var sample = new JsonObject { ["input"] = "ops@example.com" };

        Redactor.RedactJson(sample["input"], new RedactionTally());

        Assert.Equal("""{"input":"[REDACTED:email]"}""", sample.ToJsonString());
    }

    [Fact]
    public void A_bare_string_root_is_refused_rather_than_left_unredacted() =>
        Assert.Throws<ArgumentException>(() => Redactor.RedactJson(JsonValue.Create("ops@example.com"), new RedactionTally()));

    [Fact]
    public void Null_and_non_string_roots_are_left_alone()
    {
        var number = JsonValue.Create(4111111111111111);

        Redactor.RedactJson(null, new RedactionTally());
        Redactor.RedactJson(number, new RedactionTally());

        Assert.Equal("4111111111111111", number.ToJsonString());
    }
}
