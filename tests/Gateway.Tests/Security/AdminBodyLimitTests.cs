using System.Net;
using System.Net.Http.Headers;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Admin bodies are at most 1 MB whether or not they declare a length: a chunked body is cut by the server at the
/// limit (413 in OpenAI's shape), never read whole to Kestrel's 30 MB default first.
/// </summary>
public sealed class AdminBodyLimitTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/admin/v1/prompts")]
    [InlineData("/admin/v1/keys")]
    [InlineData("/admin/v1/prompts/limit-test/rollouts/staging")]
    public async Task A_chunked_body_past_the_limit_is_refused_413_before_it_is_read_whole(string path)
    {
        using var admin = env.Gateway.CreateClient(TestEnvironment.AdminToken);
        var sent = new ChunkedJson(megabytes: 4);

        using var response = await admin.PostAsync(path, sent, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
        Assert.Null(sent.Headers.ContentLength);
    }

    [Fact]
    public async Task A_declared_length_past_the_limit_is_refused_413_for_a_bundle_too()
    {
        using var admin = env.Gateway.CreateClient(TestEnvironment.AdminToken);
        using var body = new ByteArrayContent(new byte[(1024 * 1024) + 1]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await admin.PostAsync("/admin/v1/prompts", body, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    /// <summary>A JSON string of about <c>megabytes</c> MB, sent without a length (chunked), 64 KB at a time.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly int _megabytes;

        public ChunkedJson(int megabytes)
        {
            _megabytes = megabytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'a');
            await stream.WriteAsync("{\"name\":\""u8.ToArray());
            for (var i = 0; i < _megabytes * 16; i++)
            {
                await stream.WriteAsync(chunk);
            }

            await stream.WriteAsync("\"}"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
