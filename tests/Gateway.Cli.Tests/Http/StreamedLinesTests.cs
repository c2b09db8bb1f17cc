using System.IO.Pipelines;
using System.Net;
using System.Text;
using LlmGateway.Cli.Http;
using Microsoft.Extensions.Time.Testing;

namespace LlmGateway.Cli.Tests.Http;

/// <summary>
/// A streamed answer (the samples export) times out when the gateway sends nothing for 30 s during a read, never
/// because the consumer took its time between reads (a pager, a full pipe).
/// </summary>
public sealed class StreamedLinesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_consumer_that_keeps_a_line_for_a_minute_still_gets_the_rest()
    {
        var (client, body, clock) = Start();
        await using var lines = client.GetLinesAsync("/admin/v1/samples/export", "application/x-ndjson", Ct).GetAsyncEnumerator(Ct);
        await WriteAsync(body, "first\n");

        Assert.True(await lines.MoveNextAsync());
        Assert.Equal("first", lines.Current);

        // The consumer's minute: no read is waiting on the gateway.
        clock.Advance(TimeSpan.FromMinutes(1));
        await WriteAsync(body, "second\n");
        await body.CompleteAsync();

        Assert.True(await lines.MoveNextAsync());
        Assert.Equal("second", lines.Current);
        Assert.False(await lines.MoveNextAsync());
    }

    [Fact]
    public async Task A_gateway_silent_for_the_timeout_during_a_read_is_reported_as_such()
    {
        var (client, body, clock) = Start();
        await using var lines = client.GetLinesAsync("/admin/v1/samples/export", "application/x-ndjson", Ct).GetAsyncEnumerator(Ct);
        await WriteAsync(body, "first\n");
        Assert.True(await lines.MoveNextAsync());

        var reading = lines.MoveNextAsync().AsTask();
        Assert.False(reading.IsCompleted);
        clock.Advance(AdminApiClient.RequestTimeout + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<GatewayUnavailableException>(() => reading.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Equal("gateway_timeout", error.Code);
        await body.CompleteAsync();
    }

    private static (AdminApiClient Client, PipeWriter Body, FakeTimeProvider Clock) Start()
    {
        var pipe = new Pipe();
        var clock = new FakeTimeProvider();
        var handler = new StreamingHandler(pipe.Reader.AsStream());
        var http = AdminApiClient.CreateHttpClient(handler);
        var settings = ConnectionSettings.Resolve("http://gateway.test", "t0ken", new Dictionary<string, string?>());
        return (new AdminApiClient(http, settings, trace: null, clock), pipe.Writer, clock);
    }

    private static async Task WriteAsync(PipeWriter writer, string text)
    {
        await writer.WriteAsync(Encoding.UTF8.GetBytes(text), Ct);
        await writer.FlushAsync(Ct);
    }

    private sealed class StreamingHandler(Stream body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body), RequestMessage = request });
    }
}
