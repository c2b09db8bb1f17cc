using System.Net.Http.Headers;
using System.Text.Json;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// Makes the <c>POST /v1/chat/completions</c> requests. The body is serialised once: every request sends the
/// same bytes, so the generator spends no time on JSON and the server sees a steady, comparable workload.
/// </summary>
internal sealed class ChatRequestFactory(Uri endpoint, string model, bool stream)
{
    private const string Prompt = "Reply with one short sentence about load testing.";

    private readonly byte[] _body = JsonSerializer.SerializeToUtf8Bytes(
        new ChatCompletionRequest(model, [new ChatMessage("user", Prompt)], MaxTokens: 64, Stream: stream),
        LoadTestJsonContext.Default.ChatCompletionRequest);

    public HttpRequestMessage Create()
    {
        var content = new ByteArrayContent(_body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
    }
}
