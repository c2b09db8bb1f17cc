using System.Text;
using System.Text.Json.Nodes;
using LlmGateway.Sampling;

namespace LlmGateway.Tests.Sampling;

/// <summary><see cref="ClientFault"/>: which failures are the client's own doing, from the outcome and the provider's error.</summary>
public sealed class ClientFaultTests
{
    // The client's request, and the one the gateway forwarded: the bundle's model, system message and response_format;
    // the client's own message, user, temperature and stream_options copied as they came.
    private const string Client = """
        {"model":"prompt:bot","user":"u1","temperature":0.5,"stream_options":{"include_usage":true,"x":1},
         "messages":[{"role":"user","content":"hi"}],"prompt_variables":{"company":"Acme"}}
        """;

    private const string Upstream = """
        {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Acme support"},{"role":"user","content":"hi"}],
         "user":"u1","temperature":0.5,"stream_options":{"include_usage":true,"x":1},"response_format":{"type":"yaml"}}
        """;

    [Theory]
    [InlineData("context_length_exceeded", "messages[0].content", true)] // input the client controls, even in the bundle's message
    [InlineData("content_policy_violation", null, true)]
    [InlineData(null, null, true)] // nothing named: not attributable to the version
    [InlineData(null, "messages", true)]
    [InlineData("invalid_value", "messages.[1].role", true)] // the client's own message
    [InlineData(null, "temperature", true)] // sent by the client as the gateway forwarded it
    [InlineData(null, "stream_options.x", true)] // inside an object the gateway rewrote, the client's own value
    [InlineData(null, "user", true)]
    [InlineData(null, "seed", true)] // a field no body has
    [InlineData("invalid_value", "response_format.type", false)] // the bundle's parameter
    [InlineData(null, "messages[0].content", false)] // the bundle's rendered message
    [InlineData(null, "model", false)]
    [InlineData("model_not_found", null, false)]
    public void A_providers_4xx_is_the_clients_unless_it_names_what_the_gateway_wrote(string? code, string? param, bool clientFault)
    {
        var capture = Capture(400, ErrorBody(code, param));

        Assert.Equal(clientFault, ClientFault.Of(capture, Parse(Client), Parse(Upstream)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>Bad Request</html>")]
    [InlineData("""{"error":"bad"}""")]
    public void A_4xx_without_an_openai_error_is_the_clients(string body)
    {
        Assert.True(ClientFault.Of(Capture(400, Encoding.UTF8.GetBytes(body)), Parse(Client), Parse(Upstream)));
    }

    [Fact]
    public void Without_both_whole_bodies_a_refusal_cannot_be_laid_on_the_version()
    {
        var capture = Capture(400, ErrorBody("invalid_value", "response_format.type"));

        Assert.True(ClientFault.Of(capture, Parse(Client), upstream: null));
        Assert.True(ClientFault.Of(capture, client: null, Parse(Upstream)));
    }

    [Theory]
    [InlineData(502, true, false, false)] // the gateway's own upstream failure (a timeout, no destination)
    [InlineData(429, true, false, false)] // a provider's 429, answered by the gateway
    [InlineData(500, false, false, false)] // a provider's 5xx passed through
    [InlineData(200, true, false, false)] // a cut or stalled stream, an error event
    [InlineData(200, false, false, false)] // a whole answer
    [InlineData(200, false, true, true)] // the client hung up
    [InlineData(502, true, true, false)]
    public void The_outcome_decides_before_any_error_body(int status, bool failed, bool clientGone, bool clientFault)
    {
        var capture = Capture(status, ErrorBody("invalid_value", "response_format.type")) with { Failed = failed, ClientGone = clientGone };

        Assert.Equal(clientFault, ClientFault.Of(capture, Parse(Client), Parse(Upstream)));
    }

    [Theory]
    [InlineData("messages[1].content", "messages|1|content")]
    [InlineData("messages.[1].content", "messages|1|content")]
    [InlineData("messages.1.content", "messages|1|content")]
    [InlineData("tools[0].function.name", "tools|0|function|name")]
    [InlineData("a[1][2]", "a|1|2")]
    [InlineData(" model ", "model")]
    [InlineData("a[x]", "")]
    [InlineData("a[1]b", "")]
    [InlineData("a..b", "")]
    [InlineData("", "")]
    public void A_param_reads_as_names_and_indexes(string param, string expected)
    {
        Assert.Equal(expected, string.Join('|', ClientFault.Segments(param)));
    }

    private static SampleCapture Capture(int status, byte[] body) =>
        SampleCaptures.Chat(Encoding.UTF8.GetBytes(Client), body) with { Status = status, UpstreamBody = Encoding.UTF8.GetBytes(Upstream) };

    private static byte[] ErrorBody(string? code, string? param) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["error"] = new JsonObject { ["message"] = "refused", ["type"] = "invalid_request_error", ["param"] = param, ["code"] = code },
    }.ToJsonString());

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}
