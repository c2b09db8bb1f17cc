using System.Net.Http.Headers;
using System.Text.Json;
using LlmGateway.LoadTests.Serialization;

namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// Makes the <c>POST /v1/chat/completions</c> requests. The body is serialised once: every request sends the
/// same bytes, so the generator spends no time on JSON and the server sees a steady, comparable workload.
/// </summary>
/// <param name="sessionHeader">
/// When true, each request carries its own <c>X-Session-Id</c>, so a prompt's sticky canary split sees many
/// sessions (about 10% of them canary at weight 1000) instead of one key pinned to one arm.
/// </param>
internal sealed class ChatRequestFactory(Uri endpoint, byte[] body, bool sessionHeader = false)
{
    public const string Prompt = "Reply with one short sentence about load testing.";

    private long _session;

    public static ChatRequestFactory ForModel(Uri endpoint, string model, bool stream) => new(
        endpoint,
        JsonSerializer.SerializeToUtf8Bytes(
            new ChatCompletionRequest(model, [new ChatMessage("user", Prompt)], MaxTokens: 64, Stream: stream),
            LoadTestJsonContext.Default.ChatCompletionRequest));

    public HttpRequestMessage Create()
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        if (sessionHeader)
        {
            request.Headers.TryAddWithoutValidation("X-Session-Id", $"lt-{Interlocked.Increment(ref _session)}");
        }

        return request;
    }
}
