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

    // Each body is one long string in a field the endpoint reads (an unknown field could be refused as soon as its name
    // is read, before the limit is reached).
    [Theory]
    [InlineData("/admin/v1/prompts", "name")]
    [InlineData("/admin/v1/keys", "app")]
    [InlineData("/admin/v1/prompts/limit-test/rollouts/staging", "reason")]
    public async Task A_chunked_body_past_the_limit_is_refused_413_before_it_is_read_whole(string path, string field)
    {
        // Over a raw connection: the server answers and closes while the client may still be sending, and HttpClient
        // would report its own failed write (a broken pipe) instead of the answer already received.
        // 24 MB: under Kestrel's own 30 MB limit, so a server that read the body whole before checking it would answer
        // only after the last byte.
        const int Megabytes = 24;
        var (status, body, sentWhenAnswered) = await ChunkedPostAsync(env.Gateway.BaseUrl, path, TestEnvironment.AdminToken, field, Megabytes);

        Assert.Equal(413, status);
        Assert.Contains("\"code\":\"request_too_large\"", body, StringComparison.Ordinal);
        // Refused at the limit: the answer came while most of the body was still unsent (what was sent before it is
        // the 1 MB read plus what the loopback's socket buffers hold, a few MB).
        Assert.True(sentWhenAnswered < Megabytes * 1024L * 1024 / 2, $"{sentWhenAnswered} bytes were sent before the answer.");
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

    /// <summary>
    /// Posts a JSON string of about <paramref name="megabytes"/> MB without a length (chunked, 64 KB a chunk) while
    /// reading the answer; a write the server cut short is expected. Returns the status, the body received, and how many
    /// bytes of the request had been written when the answer was in.
    /// </summary>
    private static async Task<(int Status, string Body, long SentWhenAnswered)> ChunkedPostAsync(Uri server, string path, string token, string field, int megabytes)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(server.Host, server.Port, Ct);
        var stream = client.GetStream();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sent = new System.Runtime.CompilerServices.StrongBox<long>();
        var sending = Task.Run(async () =>
        {
            try
            {
                var head = $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), stop.Token);
                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)'a');
                var header = System.Text.Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
                var opening = $"{{\"{field}\":\"";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{opening.Length:x}\r\n{opening}\r\n"), stop.Token);
                for (var i = 0; i < megabytes * 16; i++)
                {
                    await stream.WriteAsync(header, stop.Token);
                    await stream.WriteAsync(chunk, stop.Token);
                    await stream.WriteAsync("\r\n"u8.ToArray(), stop.Token);
                    Interlocked.Add(ref sent.Value, chunk.Length);
                }

                await stream.WriteAsync("2\r\n\"}\r\n0\r\n\r\n"u8.ToArray(), stop.Token);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // The server answered and closed before the body ended (what this test expects), or the answer is in.
            }
        }, CancellationToken.None);

        var received = new MemoryStream();
        long sentWhenAnswered = -1;
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, Ct)) > 0)
            {
                received.Write(buffer, 0, read);
                if (Complete(received.ToArray()))
                {
                    sentWhenAnswered = Interlocked.Read(ref sent.Value);
                    break;
                }
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // Reset after the answer arrived.
        }

        await stop.CancelAsync();
        client.Close();
        await sending;
        var text = System.Text.Encoding.UTF8.GetString(received.ToArray());
        var status = int.Parse(text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        return (status, text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..], sentWhenAnswered < 0 ? Interlocked.Read(ref sent.Value) : sentWhenAnswered);
    }

    // Headers and a body as long as their Content-Length said.
    private static bool Complete(byte[] response)
    {
        var text = System.Text.Encoding.UTF8.GetString(response);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var match = System.Text.RegularExpressions.Regex.Match(text[..end], "Content-Length: *(\\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return match.Success && response.Length - (end + 4) >= int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
