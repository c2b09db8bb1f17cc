using System.CommandLine;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;

namespace LlmGateway.Cli;

/// <summary>
/// Everything a command handler needs: its parsed values, where to write, and the admin API. The
/// connection is set up on first use, so commands fail on their own bad flags or files before they
/// complain about missing configuration.
/// </summary>
internal sealed class CommandContext : IDisposable
{
    private readonly ParseResult parseResult;
    private readonly GlobalOptions globals;
    private readonly CliHost host;
    private HttpClient? httpClient;
    private AdminApiClient? api;

    public CommandContext(ParseResult parseResult, GlobalOptions globals, CliHost host)
    {
        this.parseResult = parseResult;
        this.globals = globals;
        this.host = host;
        Errors = new ErrorReporter(host.Error, new SecretRedactor(
        [
            parseResult.GetValue(globals.Token),
            host.Environment.GetValueOrDefault(ConnectionSettings.TokenVariable),
        ]));
    }

    public TextWriter Out => host.Out;

    /// <summary>stderr, for notes that must stay out of stdout when stdout carries the data (an export).</summary>
    public TextWriter Error => host.Error;

    public ErrorReporter Errors { get; }

    /// <summary><c>--json</c>: print the gateway's JSON instead of tables.</summary>
    public bool Json => parseResult.GetValue(globals.Json);

    public AdminApiClient Api => api ??= Connect();

    /// <summary>An admin request that changes something has been sent by this command (see <see cref="AdminApiClient.ChangeSent"/>).</summary>
    public bool ChangeSent => api?.ChangeSent ?? false;

    /// <summary><c>--url</c>, else <c>GATEWAY_URL</c>; for commands that call the gateway's data plane too (eval).</summary>
    public string? GatewayUrl =>
        parseResult.GetValue(globals.Url) is { Length: > 0 } url ? url : host.Environment.GetValueOrDefault(ConnectionSettings.UrlVariable);

    /// <summary>The caller's handler for data-plane clients (tests), or null for a socket handler of the client's own.</summary>
    public HttpMessageHandler? Handler => host.Handler;

    /// <summary>A variable of the invocation's environment (the process's, or the one a test passed in).</summary>
    public string? Environment(string name) => host.Environment.GetValueOrDefault(name);

    public T? Value<T>(Option<T> option) => parseResult.GetValue(option);

    public T Value<T>(Argument<T> argument) => parseResult.GetValue(argument)
        ?? throw new UsageException($"Missing argument <{argument.Name}>.");

    /// <summary>An argument that may be left out (arity zero or one).</summary>
    public T? OptionalValue<T>(Argument<T> argument) => parseResult.GetValue(argument);

    /// <summary>
    /// Prints a body from the gateway, re-indented, for <c>--json</c>. A 2xx body that is not JSON (a proxy's login page,
    /// an empty answer) is an unexpected response (exit 3), as without <c>--json</c>, never a crash.
    /// </summary>
    public void WriteJson(string json)
    {
        string pretty;
        try
        {
            pretty = JsonPrinter.Pretty(json);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw GatewayResponse.Unexpected(ex);
        }

        Out.WriteLine(pretty);
    }

    public void Dispose() => httpClient?.Dispose();

    private AdminApiClient Connect()
    {
        var settings = ConnectionSettings.Resolve(parseResult.GetValue(globals.Url), parseResult.GetValue(globals.Token), host.Environment);
        httpClient = AdminApiClient.CreateHttpClient(host.Handler);
        return new AdminApiClient(httpClient, settings, parseResult.GetValue(globals.Verbose) ? host.Error : null);
    }
}
