using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using LlmGateway.Proxy;

namespace LlmGateway.Tests.Proxy;

public sealed class ModelSplicerTests
{
    [Fact]
    public void Replaces_only_the_model_value()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"house-model","messages":[{"role":"user","content":"model"}]}""");

        var result = Splice(body, "gpt-4o-mini");

        Assert.Equal("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"model"}]}""", result);
    }

    [Fact]
    public void Any_object_keeps_every_other_field_and_gets_the_new_model()
    {
        var field = Gen.String[0, 12];
        var value = Gen.OneOf<JsonNode?>(
            Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.String[0, 20].Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)));
        var generator = Gen.Select(
            Gen.Dictionary(field, value)[0, 8],
            Gen.String[1, 30],
            Gen.String[1, 30],
            Gen.Int[0, 8]);

        generator.Sample((fields, oldModel, newModel, position) =>
        {
            var node = new JsonObject();
            var index = 0;
            foreach (var (name, v) in fields.Where(f => f.Key != "model"))
            {
                if (index++ == position)
                {
                    node["model"] = oldModel;
                }

                node[name] = v?.DeepClone();
            }

            node["model"] ??= oldModel;

            var result = JsonNode.Parse(Splice(Encoding.UTF8.GetBytes(node.ToJsonString()), newModel))!.AsObject();

            Assert.Equal(newModel, result["model"]!.GetValue<string>());
            result["model"] = oldModel;
            Assert.True(JsonNode.DeepEquals(node, result));
        });
    }

    private static string Splice(byte[] body, string newModel)
    {
        var scan = RequestBodyScanner.Scan(body);
        Assert.True(scan.IsValid, scan.Error);
        using var buffer = new PooledBuffer(16);
        ModelSplicer.Splice(body, scan, JsonSerializer.SerializeToUtf8Bytes(newModel), buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
