using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using LlmGateway.Proxy;

namespace LlmGateway.Tests.Proxy;

/// <summary>
/// The plain-model rewrite (catalog rename and/or <c>stream_options.include_usage</c>): golden bodies byte for byte,
/// then a property over random objects.
/// </summary>
public sealed class PlainRequestRewriterTests
{
    public static TheoryData<string, string, bool, string> Golden => new()
    {
        {
            "rename only: the model value changes, every other property is copied byte for byte",
            """{"model":"house","messages":[{"role":"user","content":"model \u00e9 é"}],"temperature":1.50,"x_custom" : {"a": [1, 2e3]}}""",
            false,
            """{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"model \u00e9 é"}],"temperature":1.50,"x_custom" : {"a": [1, 2e3]}}"""
        },
        {
            "no stream_options: ours is appended after the last property",
            """{"model":"m","stream":true,"messages":[]}""",
            true,
            """{"model":"gpt-4o-2024-08-06","stream":true,"messages":[],"stream_options":{"include_usage":true}}"""
        },
        {
            "the client's other stream options are kept, and include_usage goes last",
            """{"model":"m","stream_options":{"foo":1,"bar":"x"},"stream":true}""",
            true,
            """{"model":"gpt-4o-2024-08-06","stream_options":{"foo":1,"bar":"x","include_usage":true},"stream":true}"""
        },
        {
            "a client's include_usage false is replaced by ours, never written twice (some providers refuse duplicate keys)",
            """{"model":"m","stream":true,"stream_options":{"include_usage":false, "foo" : [1, {"include_usage":2}]}}""",
            true,
            """{"model":"gpt-4o-2024-08-06","stream":true,"stream_options":{"foo" : [1, {"include_usage":2}],"include_usage":true}}"""
        },
        {
            "an empty or blank stream_options object gets include_usage alone",
            "{\"model\":\"m\",\"stream_options\":{ \t\r\n },\"stream\":true}",
            true,
            """{"model":"gpt-4o-2024-08-06","stream_options":{"include_usage":true},"stream":true}"""
        },
        {
            "padding inside the client's options is trimmed, not copied",
            """{"model":"m","stream_options":{  "foo" : 1  },"stream":true}""",
            true,
            """{"model":"gpt-4o-2024-08-06","stream_options":{"foo" : 1,"include_usage":true},"stream":true}"""
        },
        {
            "stream_options that is not an object (null) is replaced in place, not duplicated",
            """{"stream":true,"stream_options":null,"model":"m"}""",
            true,
            """{"stream":true,"stream_options":{"include_usage":true},"model":"gpt-4o-2024-08-06"}"""
        },
        {
            "stream_options that is a string is replaced in place",
            """{"model":"m","stream_options":"yes","stream":true}""",
            true,
            """{"model":"gpt-4o-2024-08-06","stream_options":{"include_usage":true},"stream":true}"""
        },
        {
            "whitespace between properties goes, whitespace inside a property stays",
            """{ "model" :  "m" ,	"stream" : true }""",
            true,
            """{"model" :  "gpt-4o-2024-08-06","stream" : true,"stream_options":{"include_usage":true}}"""
        },
        {
            "an empty object gets stream_options with no leading comma",
            """{}""",
            true,
            """{"stream_options":{"include_usage":true}}"""
        },
        {
            "without usage injection a non-object stream_options is left exactly as it was",
            """{"model":"m","stream_options":null}""",
            false,
            """{"model":"gpt-4o-2024-08-06","stream_options":null}"""
        },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Rewrites_to_the_exact_upstream_body(string because, string clientBody, bool injectUsage, string expected)
    {
        var output = Rewrite(clientBody, "gpt-4o-2024-08-06", injectUsage);

        Assert.True(expected == output, $"{because}:\n expected {expected}\n actual   {output}");
    }

    [Theory]
    [InlineData("""{"model":"m","tools":[{"type":"web_search"}]}""", false, """{"model":"up","tools":[{"type":"web_search"}],"max_tool_calls":10}""")]
    [InlineData("""{"model":"m","max_tool_calls":null,"tools":[]}""", false, """{"model":"up","max_tool_calls":10,"tools":[]}""")]
    [InlineData("""{"model":"m","stream":true}""", true, """{"model":"up","stream":true,"stream_options":{"include_usage":true},"max_tool_calls":10}""")]
    [InlineData("""{}""", false, """{"max_tool_calls":10}""")]
    public void A_budget_s_tool_call_bound_is_written_once_where_the_request_set_none(string clientBody, bool injectUsage, string expected)
    {
        var body = Encoding.UTF8.GetBytes(clientBody);
        using var buffer = new PooledBuffer(16);

        PlainRequestRewriter.Rewrite(body, RequestBodyScanner.Scan(body), "\"up\""u8, injectUsage, buffer, maxToolCalls: 10);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void The_upstream_model_is_written_as_the_json_token_it_is_given()
    {
        var output = Rewrite("""{"model":"m"}""", "quote \" and é", injectUsage: false);

        Assert.Equal("""{"model":"quote \u0022 and \u00E9"}""", output);
        Assert.Equal("quote \" and é", JsonNode.Parse(output)!["model"]!.GetValue<string>());
    }

    [Fact]
    public void The_output_is_valid_json_that_asks_for_usage_whatever_the_client_set()
    {
        foreach (var options in new[] { "", ",\"stream_options\":{}", ",\"stream_options\":{\"include_usage\":false}", ",\"stream_options\":[1,2]", ",\"stream_options\":7" })
        {
            var output = Rewrite($$"""{"model":"m","stream":true{{options}}}""", "up", injectUsage: true);

            var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes(output));
            Assert.True(scan.IsValid, $"{options}: {scan.Error}");
            Assert.True(scan.ClientIncludesUsage, $"{options}: {output}");
            Assert.Equal("up", scan.Model);
            Assert.Single(scan.Properties, p => p.Field == TopLevelField.StreamOptions);
        }
    }

    [Fact]
    public void Find_returns_the_client_options_only_when_they_are_an_object()
    {
        var withObject = Encoding.UTF8.GetBytes("""{"model":"m","stream_options":{"a":1}}""");
        var withNull = Encoding.UTF8.GetBytes("""{"model":"m","stream_options":null}""");
        var without = Encoding.UTF8.GetBytes("""{"model":"m"}""");

        var found = StreamOptionsWriter.Find(withObject, RequestBodyScanner.Scan(withObject));

        Assert.NotNull(found);
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(withObject.AsSpan(found.Value.ValueStart..found.Value.End)));
        Assert.Null(StreamOptionsWriter.Find(withNull, RequestBodyScanner.Scan(withNull)));
        Assert.Null(StreamOptionsWriter.Find(without, RequestBodyScanner.Scan(without)));
    }

    [Fact]
    public void StreamOptionsWriter_without_client_options_writes_only_include_usage()
    {
        using var buffer = new PooledBuffer(16);

        StreamOptionsWriter.Write([], null, buffer);

        Assert.Equal("""
            "stream_options":{"include_usage":true}
            """, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Any_object_keeps_every_other_field_and_gets_the_new_model_and_usage()
    {
        var field = Gen.String[0, 12];
        var value = Gen.OneOf<JsonNode?>(
            Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.String[0, 20].Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Const((JsonNode?)null));
        var options = Gen.OneOf<JsonNode?>(
            Gen.Const((JsonNode?)null),
            Gen.Bool.Select(b => (JsonNode?)new JsonObject { ["include_usage"] = b }),
            Gen.Dictionary(Gen.String[1, 8], Gen.Int)[0, 3].Select(d => (JsonNode?)new JsonObject(d.Where(e => e.Key != "include_usage").Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))))));
        var generator = Gen.Select(Gen.Dictionary(field, value)[0, 8], Gen.String[1, 30], Gen.String[1, 30], options, Gen.Bool);

        generator.Sample((fields, oldModel, newModel, clientOptions, inject) =>
        {
            var node = new JsonObject { ["model"] = oldModel };
            foreach (var (name, v) in fields.Where(f => f.Key is not ("model" or "stream_options")))
            {
                node[name] = v?.DeepClone();
            }

            if (clientOptions is not null)
            {
                node["stream_options"] = clientOptions.DeepClone();
            }

            // No duplicate keys: a reader that refuses them reads the output.
            using var document = JsonDocument.Parse(Rewrite(node.ToJsonString(), newModel, inject), new JsonDocumentOptions { AllowDuplicateProperties = false });
            var result = LastWins(document.RootElement)!.AsObject();

            var expected = node.DeepClone().AsObject();
            expected["model"] = newModel;
            if (inject)
            {
                var merged = clientOptions?.DeepClone().AsObject() ?? new JsonObject();
                merged["include_usage"] = true;
                expected["stream_options"] = merged;
            }

            Assert.True(JsonNode.DeepEquals(expected, result), $"expected {expected.ToJsonString()}\nactual   {result.ToJsonString()}");
        });
    }

    private static JsonNode? LastWins(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    obj[property.Name] = LastWins(property.Value);
                }

                return obj;
            case JsonValueKind.Array:
                return new JsonArray([.. element.EnumerateArray().Select(LastWins)]);
            default:
                return JsonValue.Create(element.Clone());
        }
    }

    private static string Rewrite(string clientBody, string upstreamModel, bool injectUsage)
    {
        var body = Encoding.UTF8.GetBytes(clientBody);
        var scan = RequestBodyScanner.Scan(body);
        Assert.True(scan.IsValid, scan.Error);
        using var buffer = new PooledBuffer(16);
        PlainRequestRewriter.Rewrite(body, scan, JsonSerializer.SerializeToUtf8Bytes(upstreamModel), injectUsage, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
