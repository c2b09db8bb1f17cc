using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace LlmGateway.Cli.Tests.Infrastructure;

/// <summary>
/// Stands in for the gateway's admin API: answers every request with what the test says and records what
/// gatewayctl sent, so a command can be run in-process through <see cref="GatewayCtl.RunAsync"/> without a server.
/// </summary>
internal sealed class FakeAdminApi(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public const string BaseUrl = "http://gateway.test";
    public const string Token = "sk-admin-test-0123456789";

    public List<HttpRequestMessage> Requests { get; } = [];

    /// <summary>The body of each request, in order (null without one), read as it was sent: gatewayctl disposes the request after.</summary>
    public List<string?> Bodies { get; } = [];

    /// <summary>The path and query of the only request, as the admin routes write them.</summary>
    public string OnlyPathAndQuery => Assert.Single(Requests).RequestUri!.PathAndQuery;

    public static FakeAdminApi Answering(HttpStatusCode status, string body, string mediaType = "application/json") =>
        new(_ => new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) });

    /// <summary>The gateway's OpenAI-shaped error, <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static HttpResponseMessage Error(HttpStatusCode status, string message, string type, string? code, string? param = null)
    {
        var body = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
        };
        return new HttpResponseMessage(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    public async Task<CliRun> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        return await RunAsync(stdout, args);
    }

    /// <summary>Runs one command line, with stdout the test can read while the command is still running.</summary>
    public Task<CliRun> RunAsync(StringWriter stdout, params string[] args) => RunCoreAsync(stdout, args, CancellationToken.None);

    /// <summary>Runs one command line that <paramref name="cancellationToken"/> interrupts as Ctrl+C would.</summary>
    public async Task<CliRun> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        return await RunCoreAsync(stdout, args, cancellationToken);
    }

    private async Task<CliRun> RunCoreAsync(StringWriter stdout, string[] args, CancellationToken cancellationToken)
    {
        using var stderr = new StringWriter();
        var exit = await GatewayCtl.RunAsync(
            args,
            stdout,
            stderr,
            this,
            new Dictionary<string, string?> { ["GATEWAY_URL"] = BaseUrl, ["GATEWAY_ADMIN_TOKEN"] = Token },
            cancellationToken);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        Bodies.Add(request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken));
        return respond(request);
    }
}
