using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class AssertionSpecTests
{
    [Fact]
    public void A_full_promptfoo_assertion_parses_every_field()
    {
        var spec = AssertionSpec.Parse("""{"type":"contains","value":"refund","weight":2.5,"metric":"accuracy","threshold":0.8}""");

        Assert.Equal("contains", spec.Type);
        Assert.Equal("refund", spec.Value?.GetString());
        Assert.Equal(2.5, spec.Weight);
        Assert.Equal("accuracy", spec.Metric);
        Assert.Equal(0.8, spec.Threshold);
    }

    [Fact]
    public void Only_the_type_is_required_and_weight_defaults_to_one()
    {
        var spec = AssertionSpec.Parse("""{"type":"is-json"}""");

        Assert.Null(spec.Value);
        Assert.Equal(1, spec.Weight);
        Assert.Null(spec.Metric);
        Assert.Null(spec.Threshold);
    }

    [Theory]
    [InlineData("""{"type":"equals","value":{"a":[1,2]}}""", JsonValueKind.Object)]
    [InlineData("""{"type":"contains-any","value":["a","b"]}""", JsonValueKind.Array)]
    [InlineData("""{"type":"equals","value":42}""", JsonValueKind.Number)]
    public void Any_json_value_is_kept_as_is(string json, JsonValueKind kind) =>
        Assert.Equal(kind, AssertionSpec.Parse(json).Value?.ValueKind);

    [Theory]
    [InlineData("""{"value":"x"}""")]
    [InlineData("""{"type":""}""")]
    [InlineData("""{"type":"contains","treshold":1}""")]
    [InlineData("""{"type":"contains","transform":"output.trim()"}""")]
    [InlineData("""{"type":"contains","weight":-1}""")]
    [InlineData("""{"type":"contains","weight":"heavy"}""")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Invalid_assertions_are_rejected_loudly(string json) =>
        Assert.ThrowsAny<JsonException>(() => AssertionSpec.Parse(json));

    [Fact]
    public void A_list_of_assertions_parses_from_a_dataset_array()
    {
        var list = AssertionSpec.ParseList("""[{"type":"contains","value":"a"},{"type":"not-is-json","weight":0}]""");

        Assert.Equal(["contains", "not-is-json"], list.Select(a => a.Type));
        Assert.Equal(0, list[1].Weight);
    }

    [Fact]
    public void An_assertion_embedded_in_a_larger_document_parses_from_its_element()
    {
        using var document = JsonDocument.Parse("""{"assert":[{"type":"regex","value":"^\\d+$"}]}""");

        var spec = AssertionSpec.FromJson(document.RootElement.GetProperty("assert")[0]);

        Assert.Equal(@"^\d+$", spec.Value?.GetString());
    }
}
